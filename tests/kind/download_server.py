"""A local HTTP server standing in for kind's and Kubernetes' download hosts.

It serves, under the URL scheme of runner.kind.versions.download_urls with a
base of http://127.0.0.1:PORT, each tool's binary and its published checksum
file in the real formats: kind's `<file>.sha256sum` is `shasum -a 256` output
(`<hex>  kind-linux-amd64`, kind hack/release/build/cross.sh), kubectl's
`kubectl.sha256` the bare hex digest (kubernetes.io install-kubectl-linux).
Per tool the mode is "good", "corrupted" (the checksum of the good file, bytes
that differ) or "missing" (404 for both).
"""

import hashlib
import platform
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from runner.kind import versions


class DownloadServer:
    def __init__(self, binaries: dict[str, bytes]):
        self.binaries = dict(binaries)
        self.modes = {tool: "good" for tool in binaries}
        self.requests: list[str] = []
        os_name, arch = versions.platform_of(platform.system(), platform.machine())
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.files = {}
        for tool in binaries:
            url, checksum_url = versions.download_urls(tool, os_name, arch, self.base)
            self.files[url.removeprefix(self.base)] = (tool, "binary")
            self.files[checksum_url.removeprefix(self.base)] = (tool, "checksum")
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def body(self, tool: str, what: str) -> bytes | None:
        mode, good = self.modes[tool], self.binaries[tool]
        if mode == "missing":
            return None
        if what == "checksum":
            digest = hashlib.sha256(good).hexdigest()
            name = "kubectl" if tool == "kubectl" else f"kind-{'-'.join(self._platform())}"
            return (digest + "\n" if tool == "kubectl" else f"{digest}  {name}\n").encode()
        return good if mode == "good" else good[:-8] + b"#garbage"

    def _platform(self):
        return versions.platform_of(platform.system(), platform.machine())

    def _handler(self):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner.requests.append(self.path)
                tool, what = owner.files.get(self.path, (None, None))
                body = owner.body(tool, what) if tool else None
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
