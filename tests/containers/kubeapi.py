"""A stand-in Kubernetes API for a container that reads a ConfigMap with its pod's token.

The decision is the harness's RBAC model (tests/harness/appdeps.may_get_configmap) over
the rendered Role and RoleBinding objects; the 403 body has the API server's shape (see
appdeps.forbidden_message for the source). It runs as a small python3 HTTP server inside
a container of the lab image, so the app reaches it on 127.0.0.1 in a shared network
namespace; the pod's token, namespace and CA are written where the kubelet mounts them.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.harness import appdeps

PORT = 6443
SA_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"

SERVER = '''
import http.server, json, sys
answers = json.load(open(sys.argv[1]))
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        key = self.headers.get("Authorization", "") + " " + self.path
        code, body = answers.get(key, [401, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                             "message": "Unauthorized", "reason": "Unauthorized", "code": 401}])
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), H).serve_forever()
'''


class ObjectsView:
    """appdeps' view (get/list by resource) over rendered objects."""

    PLURALS = {"roles": "Role", "rolebindings": "RoleBinding", "configmaps": "ConfigMap"}

    def __init__(self, objects: list[dict]):
        self.objects = objects

    def list(self, resource: str) -> list[dict]:
        return [o for o in self.objects if o.get("kind") == self.PLURALS.get(resource)]

    def get(self, resource: str, name: str) -> dict | None:
        return next((o for o in self.list(resource) if o["metadata"]["name"] == name), None)


def reads_through_api(container: dict) -> str | None:
    """The ConfigMap name the container reads through the API, or None."""
    return next((e.get("value") for e in container.get("env") or []
                 if e.get("name") == "APP_SETTINGS_CONFIGMAP"), None)


def prepare(objects: list[dict], pod: dict, namespace: str, configmap: str, files: Path):
    """Write the server's answers, the script and the token dir; return (answers, script, sa dir)."""
    account = pod.get("serviceAccountName") or "default"
    token = f"token-of-{account}"
    path = f"/api/v1/namespaces/{namespace}/configmaps/{configmap}"
    view = ObjectsView(objects)
    if appdeps.may_get_configmap(view, namespace, account, configmap):
        found = view.get("configmaps", configmap)
        answer = [200, found] if found else [404, _status(404, "NotFound",
                                                          f'configmaps "{configmap}" not found')]
    else:
        answer = [403, _status(403, "Forbidden",
                               appdeps.forbidden_message(namespace, account, configmap))]
    files.mkdir(parents=True, exist_ok=True)
    answers = files / "answers.json"
    answers.write_text(json.dumps({f"Bearer {token} {path}": answer}))
    script = files / "kubeapi.py"
    script.write_text(SERVER)
    sa_dir = files / "serviceaccount"
    sa_dir.mkdir()
    (sa_dir / "token").write_text(token)
    (sa_dir / "namespace").write_text(namespace)
    (sa_dir / "ca.crt").write_text("")  # plain HTTP here: the CA is not used
    for item in (files, sa_dir, *files.iterdir(), *sa_dir.iterdir()):
        item.chmod(0o755 if item.is_dir() else 0o644)
    return answers, script, sa_dir


def _status(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
