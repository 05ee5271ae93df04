"""What the app needs before it serves: credentials, its backend, settings from the API; its modes."""

import socket
import time

import pytest

from .conftest import free_port


# ------------------------------------------------------------------ credentials

def test_missing_password_file_exits_1_naming_the_path(start_app, tmp_path):
    path = tmp_path / "db" / "password"
    app = start_app({"APP_DB_PASSWORD_FILE": str(path)})

    assert app.wait_exit() == 1
    assert (f"FATAL missing credentials for the backend database: cannot read {path}: "
            "No such file or directory (APP_DB_PASSWORD_FILE)") in app.output()
    assert "listening on" not in app.output()


def test_empty_password_file_exits_1(start_app, tmp_path):
    path = tmp_path / "password"
    path.write_text("\n")
    app = start_app({"APP_DB_PASSWORD_FILE": str(path)})

    assert app.wait_exit() == 1
    assert f"missing credentials for the backend database: {path} is empty" in app.output()


def test_password_is_read_and_never_logged(start_app, tmp_path):
    path = tmp_path / "password"
    path.write_text("s3cr3t-value\n")
    app = start_app({"APP_DB_PASSWORD_FILE": str(path)}).wait_ready()

    assert app.get("/healthz") == (200, "ok")
    assert f"database credentials read from {path}" in app.output()
    assert "s3cr3t-value" not in app.output()


# ---------------------------------------------------------------------- backend

def test_tcp_listener_greets_each_connection(start_app):
    backend = start_app({"APP_MODE": "tcp-listener", "APP_NAME": "orders-db"}).wait_ready()

    with socket.create_connection(("127.0.0.1", backend.port), timeout=3) as conn:
        assert conn.makefile().readline() == "orders-db ready\n"
    backend.wait_for_output("connection from 127.0.0.1")
    assert f"listening on 0.0.0.0:{backend.port} (TCP)" in backend.output()


def test_tcp_listener_does_not_speak_http(start_app):
    backend = start_app({"APP_MODE": "tcp-listener"}).wait_ready()

    with socket.create_connection(("127.0.0.1", backend.port), timeout=3) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert not conn.makefile("rb").read().startswith(b"HTTP/")


def test_service_connects_to_its_backend_then_serves(start_app):
    backend = start_app({"APP_MODE": "tcp-listener"}).wait_ready()
    app = start_app({"APP_BACKEND_ADDR": f"127.0.0.1:{backend.port}"}).wait_ready()

    assert app.get("/healthz") == (200, "ok")
    assert f"backend 127.0.0.1:{backend.port} reachable (attempt 1)" in app.output()
    assert f'"backend": "127.0.0.1:{backend.port}"' in app.get("/")[1]


def test_unreachable_backend_exits_1_after_the_timeout(start_app):
    port = free_port()  # nothing listens there
    begin = time.monotonic()
    app = start_app({"APP_BACKEND_ADDR": f"127.0.0.1:{port}", "APP_BACKEND_TIMEOUT_SECONDS": "2"})

    assert app.wait_exit(timeout=10) == 1
    took = time.monotonic() - begin
    output = app.output()
    assert f"connecting to backend 127.0.0.1:{port} (timeout 2 s)" in output
    assert f"WARN  backend 127.0.0.1:{port} not reachable yet (attempt 1): Connection refused" in output
    assert (f"FATAL cannot connect to backend 127.0.0.1:{port} within 2 s (2 attempts): "
            "Connection refused (errno 111)") in output
    assert 0.9 < took < 6, took
    assert "listening on" not in output


def test_backend_that_appears_during_the_timeout_is_used(start_app):
    port = free_port()
    app = start_app({"APP_BACKEND_ADDR": f"127.0.0.1:{port}", "APP_BACKEND_TIMEOUT_SECONDS": "8"})
    app.wait_for_output("not reachable yet (attempt 1)")
    start_app({"APP_MODE": "tcp-listener", "APP_PORT": str(port)})

    app.wait_for_output("reachable (attempt", timeout=6)
    app.wait_ready()


def test_unknown_backend_host_is_reported(start_app):
    app = start_app({"APP_BACKEND_ADDR": "orders-db.invalid:5432", "APP_BACKEND_TIMEOUT_SECONDS": "1"})

    assert app.wait_exit(timeout=10) == 1
    assert "cannot connect to backend orders-db.invalid:5432 within 1 s" in app.output()
    assert "cannot resolve the host name" in app.output()


@pytest.mark.parametrize("name,value", [("APP_BACKEND_ADDR", "orders-db"),
                                        ("APP_BACKEND_ADDR", "orders-db:99999"),
                                        ("APP_BACKEND_TIMEOUT_SECONDS", "soon"),
                                        ("APP_MODE", "batch")])
def test_unusable_setting_exits_2_naming_it(start_app, name, value):
    app = start_app({name: value})

    assert app.wait_exit() == 2
    assert f"FATAL invalid {name}={value!r}" in app.output()


# ----------------------------------------------------------------------- modes

def test_oneshot_mode_runs_the_steps_and_exits_0(start_app):
    app = start_app({"APP_MODE": "oneshot", "APP_NAME": "report-export"})

    assert app.wait_exit() == 0
    output = app.output()
    assert "data directory ready" in output
    assert "INFO  report-export: run complete in " in output and output.rstrip().endswith("exiting")
    assert "listening on" not in output


# ---------------------------------------------------------- warm-up and health

def test_warm_up_keeps_the_port_closed_until_done(start_app):
    app = start_app({"APP_WARM_UP_SECONDS": "1.5"})
    app.wait_for_output("warming up before serving (about 1.5 s)")

    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", app.port), timeout=0.2).close()
    app.wait_ready(timeout=5)
    output = app.output()
    assert "warm-up done in 1." in output
    assert output.index("warm-up done") < output.index("listening on")


def test_slow_health_endpoint_sends_nothing_before_the_delay(start_app):
    app = start_app({"APP_HEALTH_DELAY_SECONDS": "1.5"}).wait_ready()

    with socket.create_connection(("127.0.0.1", app.port), timeout=3) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        conn.settimeout(1.0)  # a probe's timeoutSeconds: 1
        with pytest.raises(socket.timeout):
            conn.recv(1)
        conn.settimeout(3)
        assert conn.recv(64).startswith(b"HTTP/1.1 200")
    begin = time.monotonic()
    assert app.get("/")[0] == 200
    assert time.monotonic() - begin < 1.0  # only the health endpoint is slow
