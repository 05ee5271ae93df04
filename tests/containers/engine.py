"""A Docker engine for the container tier: an engine that already answers, or a private dockerd.

A private dockerd is shared by concurrent test sessions on one machine: each session
registers its pid under the run directory, and the last one to leave stops the daemon.
Its data root lives in the cache dir so that images survive between runs.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


# What the tier's session-finish line reports (filled by the fixtures).
TIER: dict[str, object] = {}


class EngineUnavailable(Exception):
    """No Docker engine can be reached or started here; the message says why."""


def cache_dir() -> Path:
    """Where the tier keeps what survives between runs (dockerd data root, base rootfs)."""
    override = os.environ.get("CRASHLAB_CACHE_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "crashlab"


def run_dir() -> Path:
    # Short and outside the cache: dockerd's exec root holds unix sockets (108-byte path limit).
    return Path(tempfile.gettempdir()) / f"crashlab-dockerd-{os.getuid()}"


@contextlib.contextmanager
def file_lock(path: Path):
    """Hold an exclusive flock on `path` (created if needed) for the duration of the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class Engine:
    """A reachable engine and the CLI to drive it; `host` is None for the CLI's default."""

    docker: str
    host: str | None
    description: str
    private: PrivateDaemon | None = None
    env: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.env = dict(os.environ)
        if self.host:
            self.env["DOCKER_HOST"] = self.host

    def run(self, *args: str, check: bool = True, timeout: float = 120,
            input: bytes | None = None, stdin=None) -> subprocess.CompletedProcess:
        """Run `docker ARGS` against this engine; text output; raise on failure when `check`."""
        proc = subprocess.run(
            [self.docker, *args], env=self.env, capture_output=True, timeout=timeout,
            input=input, stdin=stdin,
        )
        result = subprocess.CompletedProcess(
            proc.args, proc.returncode,
            proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace"),
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"docker {' '.join(args[:3])} failed ({result.returncode}): {result.stderr.strip()}"
            )
        return result

    def inspect(self, name: str) -> dict:
        return json.loads(self.run("inspect", name).stdout)[0]

    def has_image(self, ref: str) -> bool:
        return self.run("image", "inspect", ref, check=False).returncode == 0


def _server_version(docker: str, env: dict[str, str]) -> str | None:
    try:
        proc = subprocess.run(
            [docker, "version", "--format", "{{.Server.Version}}"],
            env=env, capture_output=True, text=True, timeout=20,
        )
    except subprocess.TimeoutExpired:
        return None
    return proc.stdout.strip() if proc.returncode == 0 and proc.stdout.strip() else None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:  # an exited child nobody reaped yet still answers kill(0)
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True


def _ping(sock: Path) -> bool:
    """True when a Docker API answers GET /_ping on the unix socket `sock`."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(2)
            conn.connect(str(sock))
            conn.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            status_line = conn.recv(64).split(b"\r\n", 1)[0]
    except OSError:
        return False
    return status_line.startswith(b"HTTP/1.") and status_line.split()[1:2] == [b"200"]


@dataclass
class PrivateDaemon:
    """A dockerd this tier starts: own data root, exec root, pidfile, socket and config."""

    dockerd: str
    data_root: Path
    rundir: Path
    process: subprocess.Popen | None = None

    @property
    def sock(self) -> Path:
        return self.rundir / "docker.sock"

    @property
    def pidfile(self) -> Path:
        return self.rundir / "dockerd.pid"

    @property
    def log(self) -> Path:
        return self.rundir / "dockerd.log"

    @property
    def users(self) -> Path:
        return self.rundir / "users"

    def acquire(self, start_timeout: float = 30) -> bool:
        """Register this session; start dockerd unless another session's one answers.

        Returns True when this call started the daemon.
        """
        with file_lock(self.rundir / "lock"):
            self.users.mkdir(parents=True, exist_ok=True)
            (self.users / str(os.getpid())).touch()
            if _ping(self.sock):
                return False
            self._start(start_timeout)
            return True

    def release(self, stop_timeout: float = 30) -> None:
        """Unregister this session; stop dockerd when no live session uses it any more."""
        with file_lock(self.rundir / "lock"):
            (self.users / str(os.getpid())).unlink(missing_ok=True)
            for entry in self.users.iterdir():
                if entry.name.isdigit() and not pid_alive(int(entry.name)):
                    entry.unlink(missing_ok=True)
            if not any(self.users.iterdir()):
                self._stop(stop_timeout)

    def _start(self, timeout: float) -> None:
        exec_root = self.rundir / "exec"
        config = self.rundir / "daemon.json"
        for path in (self.data_root, exec_root):
            path.mkdir(parents=True, exist_ok=True)
        # Our own (empty) config so a host's /etc/docker/daemon.json cannot change the engine.
        config.write_text("{}\n")
        self.sock.unlink(missing_ok=True)
        cmd = [
            self.dockerd,
            "--data-root", str(self.data_root),
            "--exec-root", str(exec_root),
            "--pidfile", str(self.pidfile),
            "--config-file", str(config),
            "-H", f"unix://{self.sock}",
            # The tier runs containers with --network none: leave the host's bridges and
            # iptables alone (another dockerd on this machine may own docker0).
            "--bridge=none", "--iptables=false", "--ip-masq=false",
        ]
        with open(self.log, "ab") as log:
            # Own session: Ctrl-C on pytest must not kill a daemon other sessions may share.
            self.process = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _ping(self.sock):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self._stop(5)
        raise EngineUnavailable(f"dockerd did not start: {self._last_log_line()} (log: {self.log})")

    def _stop(self, timeout: float) -> None:
        pid = self.process.pid if self.process else self._pidfile_pid()
        if pid is None or not pid_alive(pid):
            return
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=0.2)
            else:
                time.sleep(0.2)
            if not pid_alive(pid):
                return
        os.kill(pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)

    def _pidfile_pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None

    def _last_log_line(self) -> str:
        try:
            lines = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "no log"
        return lines[-1] if lines else "no log output"


def find_engine() -> Engine:
    """An engine that answers now, else a private dockerd (root on Linux only).

    Raises EngineUnavailable with a one-line reason when neither is possible.
    """
    docker = shutil.which("docker")
    if docker is None:
        raise EngineUnavailable("no `docker` CLI on PATH (apt-get install docker.io)")
    version = _server_version(docker, dict(os.environ))
    if version:
        where = os.environ.get("DOCKER_HOST") or "the CLI's default context"
        return Engine(docker, None, f"existing Docker {version} engine at {where}")

    tried = f"DOCKER_HOST={os.environ['DOCKER_HOST']}" if os.environ.get("DOCKER_HOST") else \
        "/var/run/docker.sock"
    dockerd = shutil.which("dockerd")
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or dockerd is None:
        raise EngineUnavailable(
            f"no Docker engine answers at {tried}, and a private dockerd needs root on Linux "
            "with dockerd installed (apt-get install docker.io)"
        )
    daemon = PrivateDaemon(dockerd, cache_dir() / "docker", run_dir())
    started = daemon.acquire()
    host = f"unix://{daemon.sock}"
    version = _server_version(docker, {**os.environ, "DOCKER_HOST": host}) or "?"
    how = "started by this session" if started else "shared with another test session"
    return Engine(docker, host, f"private dockerd {version} ({how}) at {host}", private=daemon)
