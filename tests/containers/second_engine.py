"""A second private dockerd with no registry access: a participant's machine in a room
with no network. Own data root, exec root, pidfile and socket under a temp dir (like
tests/containers/engine.py's PrivateDaemon), and HTTP(S)_PROXY pointing at a closed
local port, which dockerd uses for every registry request (Docker docs, "Configure the
daemon to use a proxy": the HTTP_PROXY / HTTPS_PROXY environment variables). It is
stopped and its folders removed at the end; the shared tier daemon is not touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.containers.engine import Engine, EngineUnavailable, _ping, pid_alive


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OfflineEngine:
    def __init__(self) -> None:
        # Short: the exec root holds unix sockets (108-byte path limit).
        self.root = Path(tempfile.mkdtemp(prefix="ck-", dir="/tmp"))
        self.sock = self.root / "docker.sock"
        self.process: subprocess.Popen | None = None
        self.proxy = f"http://127.0.0.1:{closed_port()}"

    def start(self, timeout: float = 30) -> Engine:
        dockerd, docker = shutil.which("dockerd"), shutil.which("docker")
        if dockerd is None or docker is None or os.geteuid() != 0:
            raise EngineUnavailable("a second private dockerd needs root and dockerd")
        (self.root / "config.json").write_text("{}\n")
        environ = {**os.environ, "HTTP_PROXY": self.proxy, "HTTPS_PROXY": self.proxy,
                   "http_proxy": self.proxy, "https_proxy": self.proxy, "NO_PROXY": "",
                   "no_proxy": ""}
        cmd = [dockerd, "--data-root", str(self.root / "data"),
               "--exec-root", str(self.root / "exec"), "--pidfile", str(self.root / "pid"),
               "--config-file", str(self.root / "config.json"), "-H", f"unix://{self.sock}",
               "--bridge=none", "--iptables=false", "--ip-masq=false"]
        with open(self.root / "dockerd.log", "ab") as log:
            self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=environ,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _ping(self.sock):
                return Engine(docker, f"unix://{self.sock}", "offline second dockerd")
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise EngineUnavailable("the second dockerd did not start: "
                                f"{(self.root / 'dockerd.log').read_text()[-300:]}")

    def stop(self) -> None:
        if self.process is not None and pid_alive(self.process.pid):
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        # overlay mounts under the data root are gone once dockerd exited cleanly
        shutil.rmtree(self.root, ignore_errors=True)
