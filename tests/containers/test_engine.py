"""The private dockerd's lifecycle (start, share, stop), with a stand-in daemon on a unix socket."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.containers.engine import EngineUnavailable, PrivateDaemon, _ping, pid_alive

FAKE_DOCKERD = textwrap.dedent("""\
    import http.server, os, socketserver, sys
    args = sys.argv[1:]
    if os.environ.get("FAKE_DOCKERD_FAIL"):
        print("failed to start daemon: pid file found, ensure docker is not running", flush=True)
        sys.exit(1)
    open(args[args.index("--pidfile") + 1], "w").write(str(os.getpid()))

    class Ping(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"OK")

        def log_message(self, *args):
            pass

    socketserver.UnixStreamServer(args[args.index("-H") + 1][len("unix://"):], Ping).serve_forever()
""")


@pytest.fixture
def fake_dockerd(tmp_path):
    path = tmp_path / "dockerd"
    path.write_text(f"#!{sys.executable}\n{FAKE_DOCKERD}")
    path.chmod(0o755)
    return str(path)


def _daemon(fake_dockerd, tmp_path) -> PrivateDaemon:
    return PrivateDaemon(fake_dockerd, tmp_path / "data", tmp_path / "run")


def test_started_shared_and_stopped_by_the_last_session(fake_dockerd, tmp_path):
    first = _daemon(fake_dockerd, tmp_path)
    assert first.acquire() is True and _ping(first.sock)
    pid = first.process.pid
    other_session = subprocess.Popen(["sleep", "60"])
    try:
        (first.users / str(other_session.pid)).touch()
        first.release()
        assert _ping(first.sock), "stopped while another live session still used it"

        second = _daemon(fake_dockerd, tmp_path)  # a later session of the same machine
        assert second.acquire() is False
        other_session.kill()
        other_session.wait()
        second.release()  # the other session died without releasing: it does not count
        first.process.wait(timeout=10)
        assert not pid_alive(pid) and not _ping(first.sock)
    finally:
        other_session.kill()
        if first.process.poll() is None:
            first.process.kill()


def test_a_daemon_that_does_not_start_says_why(fake_dockerd, tmp_path, monkeypatch):
    monkeypatch.setenv("FAKE_DOCKERD_FAIL", "1")
    expected = "dockerd did not start: failed to start daemon: pid file found"
    with pytest.raises(EngineUnavailable, match=expected):
        _daemon(fake_dockerd, tmp_path).acquire(start_timeout=10)
