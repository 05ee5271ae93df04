"""Run the lab app as a real process: free port, temp dirs, output in a file."""

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "images" / "app" / "lab_app.py"
OTHER_UID = 1234
APP_UID = 10001


def free_port():
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        return sock.getsockname()[1]


def rss_kib(pid):
    """Resident set size of a process from /proc, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for pid {pid}")


class AppRun:
    """One lab-app process; stdout and stderr go to one file, in order."""

    def __init__(self, proc, log_path, port):
        self.proc = proc
        self.log_path = log_path
        self.port = port

    def output(self):
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout=5.0):
        """Poll the port until it accepts connections; fail early if the app exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"lab-app exited {self.proc.returncode} before serving:\n"
                            f"{self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.02)
        pytest.fail(f"lab-app not listening on {self.port} after {timeout} s:\n{self.output()}")

    def wait_exit(self, timeout=5.0):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"lab-app still running after {timeout} s:\n{self.output()}")

    def wait_for_output(self, text, timeout=3.0):
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if time.monotonic() > deadline:
                pytest.fail(f"{text!r} not in the output after {timeout} s:\n{self.output()}")
            time.sleep(0.02)

    def get(self, path, headers=None):
        """GET path; return (status, body text)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.read().decode()
        finally:
            conn.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)


@pytest.fixture
def start_app(tmp_path):
    """start_app(env, ...) -> AppRun. APP_PORT and APP_DATA_DIR default to a free port
    and a fresh dir under tmp_path; every started process is killed at teardown."""
    runs = []

    def start(env=None, args=(), python=sys.executable, script=APP, user=None,
              preexec_fn=None):
        port = free_port()
        environ = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "APP_PORT": str(port),
                   "APP_DATA_DIR": str(tmp_path / "data"), **(env or {})}
        log_path = tmp_path / f"lab-app-{len(runs)}.log"
        drop = {"user": user, "group": user, "extra_groups": []} if user is not None else {}
        with open(log_path, "wb") as log:
            # -S skips site: the app is stdlib-only, and the venv's site costs ~40 ms a start.
            proc = subprocess.Popen([python, "-S", str(script), *args], stdout=log,
                                    stderr=subprocess.STDOUT, env=environ, cwd="/",
                                    preexec_fn=preexec_fn, **drop)
        app_port = environ["APP_PORT"]
        run = AppRun(proc, log_path, int(app_port) if app_port.isdigit() else port)
        runs.append(run)
        return run

    yield start
    for run in runs:
        run.stop()


@pytest.fixture
def shared_dir():
    """A temp dir every uid can traverse (pytest's tmp_path is root-only)."""
    path = Path(tempfile.mkdtemp(prefix="lab-app-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _runs_as(python, uid):
    try:
        probe = subprocess.run([python, "-c", "import sys; sys.exit(sys.version_info < (3, 10))"],
                               user=uid, group=uid, extra_groups=[], capture_output=True,
                               timeout=10, cwd="/")
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode == 0


@pytest.fixture(scope="session")
def python_for_any_uid():
    """An interpreter that other uids may execute (ours may live under /root)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to start the app as another uid")
    candidates = [sys.executable, os.path.realpath(sys.executable), "/usr/bin/python3",
                  shutil.which("python3")]
    for python in filter(None, candidates):
        if _runs_as(python, OTHER_UID):
            return python
    pytest.skip(f"no python3 >= 3.10 that uid {OTHER_UID} can execute")


@pytest.fixture
def world_readable_app(shared_dir):
    """A copy of the app in shared_dir, so another uid can read the script."""
    script = shared_dir / "lab-app"
    shutil.copy(APP, script)
    script.chmod(0o755)
    return script
