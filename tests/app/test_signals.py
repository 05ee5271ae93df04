"""Graceful shutdown: kubelet sends SIGTERM, then SIGKILL after the grace period."""

import http.client
import signal
import time

import pytest


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_exits_128_plus_signal_promptly(start_app, signum):
    app = start_app().wait_ready()

    sent = time.monotonic()
    app.proc.send_signal(signum)

    assert app.wait_exit(timeout=2) == 128 + signum
    assert time.monotonic() - sent < 2
    assert f"received {signum.name}, shutting down" in app.output()


def test_sigterm_with_an_open_keep_alive_connection(start_app):
    app = start_app().wait_ready()
    conn = http.client.HTTPConnection("127.0.0.1", app.port, timeout=3)
    conn.request("GET", "/healthz")
    assert conn.getresponse().read() == b"ok"

    app.proc.send_signal(signal.SIGTERM)

    assert app.wait_exit(timeout=2) == 143
    conn.close()


def test_sigterm_during_startup_exits_143(start_app):
    app = start_app({"APP_WORKING_SET_MB": "2048"})
    app.wait_for_output("allocating working set")

    app.proc.send_signal(signal.SIGTERM)

    assert app.wait_exit(timeout=2) == 143
    assert "received SIGTERM, shutting down" in app.output()
    assert "listening on" not in app.output()
