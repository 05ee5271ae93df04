"""A tiny JSON-over-HTTP client the test kubelet writes through (so watches see its writes)."""

import json
import urllib.error
import urllib.request


# A real kubelet says "kubelet/v1.33.1 (linux/amd64) kubernetes/<commit>"; the emulator's
# pause() lets requests starting "kubelet/" through.
USER_AGENT = "kubelet/v1.33.1 (linux/amd64) kubernetes/0000000"


class Gone(Exception):
    """The object is not there any more (404)."""


class HttpApi:
    def __init__(self, base_url: str, token: str | None = None):
        self.base = base_url.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body=None,
             content_type: str = "application/json") -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"User-Agent": USER_AGENT})
        if data is not None:
            request.add_header("Content-Type", content_type)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise Gone(path) from exc
            raise

    def merge_patch(self, path: str, body: dict) -> dict:
        return self.call("PATCH", path, body, "application/merge-patch+json")
