"""The HTTP side: what a liveness probe and a curl see."""

import http.client
import json
import re
import socket


def test_healthz_answers_200_ok(start_app):
    app = start_app().wait_ready()

    assert app.get("/healthz") == (200, "ok")


def test_root_answers_a_json_status(start_app):
    app = start_app({"APP_NAME": "inventory"}).wait_ready()

    status, body = app.get("/")

    assert status == 200
    report = json.loads(body)
    assert report["name"] == "inventory"
    assert report["uid"] == app_uid(app)
    assert report["pid"] == app.proc.pid
    assert report["working_set_mib"] == 0
    assert report["backend"] is None
    assert report["uptime_seconds"] >= 0


def app_uid(app):
    status = open(f"/proc/{app.proc.pid}/status").read()
    return int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))


def test_unknown_path_answers_404(start_app):
    app = start_app().wait_ready()

    for path in ("/healthzz", "/health", "/healthz/", "/favicon.ico"):
        status, body = app.get(path)
        assert status == 404, path
        assert path in body


def test_each_request_logs_one_access_line(start_app):
    app = start_app().wait_ready()

    app.get("/healthz", headers={"User-Agent": "kube-probe/1.30"})
    app.get("/nope")

    app.wait_for_output("GET /healthz 200 from 127.0.0.1 kube-probe/1.30")
    app.wait_for_output("GET /nope 404 from 127.0.0.1")
    assert app.output().count("GET /healthz 200") == 1


def test_listens_on_all_interfaces(start_app):
    app = start_app().wait_ready()

    app.wait_for_output(f"listening on 0.0.0.0:{app.port}")


def test_malformed_request_gets_400_and_the_server_keeps_serving(start_app):
    app = start_app().wait_ready()

    with socket.create_connection(("127.0.0.1", app.port), timeout=3) as sock:
        sock.sendall(b"GET / HTTP/1.1 extra\r\n\r\n")
        assert b"Error code: 400" in read_all(sock)

    assert app.get("/healthz") == (200, "ok")
    app.wait_for_output("- - 400 from 127.0.0.1 -")


def read_all(sock):
    chunks = []
    while chunk := sock.recv(4096):
        chunks.append(chunk)
    return b"".join(chunks)


def test_other_methods_are_not_served(start_app):
    app = start_app().wait_ready()
    conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=3)

    conn.request("POST", "/healthz", body=b"x")

    assert conn.getresponse().status == 501
    conn.close()
