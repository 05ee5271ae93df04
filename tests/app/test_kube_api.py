"""Settings read through the Kubernetes API with the pod's ServiceAccount token and CA.

A local server stands in for the API server: it answers like kube-apiserver does
(a v1 Status body with the authorizer's message on 403, the ConfigMap on 200).
"""

import http.server
import json
import shutil
import ssl
import subprocess
import threading

import pytest

# The 403 text is kube-apiserver's: staging/src/k8s.io/apiserver/pkg/endpoints/handlers/
# responsewriters/errors.go (forbiddenMessage: `User %q cannot %s resource %q in API group
# %q in the namespace %q`) wrapped by apimachinery's NewForbidden (`%s %q is forbidden: %v`).
FORBIDDEN = ('configmaps "orders-settings" is forbidden: User '
             '"system:serviceaccount:shop:default" cannot get resource "configmaps" in API group "" '
             'in the namespace "shop"')
GOOD_TOKEN = "token-of-orders-reader"


class FakeApi(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.server.seen.append((self.path, self.headers.get("Authorization")))
        if self.headers.get("Authorization") != f"Bearer {GOOD_TOKEN}":
            body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": FORBIDDEN, "reason": "Forbidden",
                    "details": {"name": "orders-settings", "kind": "configmaps"}, "code": 403}
            return self.reply(403, body)
        self.reply(200, {"kind": "ConfigMap", "apiVersion": "v1",
                         "metadata": {"name": "orders-settings", "namespace": "shop"},
                         "data": {"currency": "EUR", "region": "eu-west"}})

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_api(tmp_path):
    def serve(tls=False):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
        server.seen = []
        scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tmp_path / "tls.crt", tmp_path / "tls.key")
            server.socket = context.wrap_socket(server.socket, server_side=True)
            scheme = "https"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server, f"{scheme}://127.0.0.1:{server.server_address[1]}"

    servers = []
    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def sa_dir(tmp_path, token, ca=b"not used over http\n"):
    path = tmp_path / "serviceaccount"
    path.mkdir(parents=True, exist_ok=True)
    (path / "token").write_text(token)
    (path / "namespace").write_text("shop")
    (path / "ca.crt").write_bytes(ca)
    return path


def env(url, directory):
    return {"APP_SETTINGS_CONFIGMAP": "orders-settings", "APP_API_URL": url,
            "APP_SA_DIR": str(directory)}


def test_forbidden_logs_the_api_message_and_exits_1(start_app, fake_api, tmp_path):
    server, url = fake_api()
    app = start_app(env(url, sa_dir(tmp_path, "token-of-default")))

    assert app.wait_exit() == 1
    assert (f"FATAL cannot read settings: GET {url}/api/v1/namespaces/shop/configmaps/"
            f"orders-settings: 403 Forbidden: {FORBIDDEN}") in app.output()
    assert server.seen == [("/api/v1/namespaces/shop/configmaps/orders-settings",
                            "Bearer token-of-default")]
    assert "token-of-default" not in app.output()


def test_allowed_reads_the_configmap_then_serves(start_app, fake_api, tmp_path):
    _, url = fake_api()
    app = start_app(env(url, sa_dir(tmp_path, GOOD_TOKEN + "\n"))).wait_ready()

    assert app.get("/healthz") == (200, "ok")
    assert "settings loaded from ConfigMap shop/orders-settings: currency, region" in app.output()


def test_no_token_mounted_exits_1_naming_the_file(start_app, tmp_path):
    app = start_app(env("http://127.0.0.1:9", tmp_path / "nothing"))

    assert app.wait_exit() == 1
    assert (f"no service account credentials: cannot read {tmp_path / 'nothing' / 'token'}: "
            "No such file or directory") in app.output()


def test_https_uses_the_mounted_ca(start_app, fake_api, tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    _make_certificate(tmp_path)
    _, url = fake_api(tls=True)
    good = start_app(env(url, sa_dir(tmp_path, GOOD_TOKEN, (tmp_path / "tls.crt").read_bytes())))
    good.wait_ready()
    assert "settings loaded from ConfigMap shop/orders-settings" in good.output()
    for name, ca in (("empty", b""), ("other", _certificate(tmp_path / "other"))):
        bad = start_app(env(url, sa_dir(tmp_path / name, GOOD_TOKEN, ca)))
        assert bad.wait_exit() == 1, name
        assert f"FATAL cannot read settings: GET {url}/api/v1/namespaces/shop/" in bad.output()
        assert "Traceback" not in bad.output()
    assert "CERTIFICATE_VERIFY_FAILED" in bad.output()


def _certificate(directory):
    directory.mkdir()
    _make_certificate(directory)
    return (directory / "tls.crt").read_bytes()


def _make_certificate(directory):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(directory / "tls.key"), "-out", str(directory / "tls.crt")],
                   check=True, capture_output=True)
