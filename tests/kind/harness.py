"""Test doubles for tests/kind and bench: stub docker/kind/kubectl on PATH, a tiny API server."""

import io
import json
import shlex
import socket
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from runner.cli import main
from runner.cli.env import Environment
from tests.kind import fake_tools

HERE = Path(__file__).resolve().parent
TOOLS = ("docker", "kind", "kubectl")
LAUNCHER = """#!{python} -S
import sys
sys.path.insert(0, {here!r})
import fake_tools
fake_tools.main()
"""


def closed_port_url() -> str:
    """http://127.0.0.1:PORT where nothing listens: a download host that refuses at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def launcher() -> str:
    """The stub tools' executable text (also what the test download server serves)."""
    return LAUNCHER.format(python=sys.executable, here=str(HERE))


@dataclass
class CliResult:
    code: int
    out: str
    err: str


class FakeTools:
    """A temporary bin folder holding the stub tools, their world and their call log."""

    def __init__(self, root: Path, kubeconfig: Path):
        self.bin = root / "bin"
        self.bin.mkdir()
        self.state_file, self.log_file = root / "world.json", root / "calls.jsonl"
        self.home = root / "home"
        self.home.mkdir()
        self.log_file.touch()
        self.world = fake_tools.default_world()
        self.save()
        for tool in TOOLS:
            self.install(tool)
        self.tools_dir = root / "tools"  # crashlab's own download folder, empty at first
        # A test never downloads from the internet: the offer to download is refused
        # unless a test points CRASHLAB_DOWNLOAD_BASE at a local server and drops this.
        # Until then the download hosts are a closed local port, so the offline check of
        # preflight (runner.kind.reach) contacts nothing outside this machine.
        self.environ = {"PATH": str(self.bin), "HOME": str(self.home),
                        "KUBECONFIG": str(kubeconfig), "FAKE_TOOLS_STATE": str(self.state_file),
                        "FAKE_TOOLS_LOG": str(self.log_file), "NO_COLOR": "1",
                        "CRASHLAB_TOOLS_DIR": str(self.tools_dir), "CRASHLAB_NO_DOWNLOAD": "1",
                        "CRASHLAB_DOWNLOAD_BASE": closed_port_url()}

    def install(self, tool: str) -> None:
        path = self.bin / tool
        path.write_text(launcher())
        path.chmod(0o755)

    def paths_used(self, tool: str) -> set[str]:
        """Which executable answered each call of `tool`."""
        lines = [json.loads(line) for line in self.log_file.read_text().splitlines()]
        return {c["path"] for c in lines if c["tool"] == tool}

    def remove(self, tool: str) -> None:
        (self.bin / tool).unlink()

    def save(self) -> None:
        self.state_file.write_text(json.dumps(self.world))

    def load(self) -> dict:
        self.world = json.loads(self.state_file.read_text())
        return self.world

    def calls(self, tool: str | None = None) -> list[list[str]]:
        lines = [json.loads(line) for line in self.log_file.read_text().splitlines()]
        return [[c["tool"], *c["argv"]] for c in lines if tool in (None, c["tool"])]

    def clear_calls(self) -> None:
        self.log_file.write_text("")

    def add_cluster(self, name: str, images: dict | None = None) -> str:
        """A kind cluster that exists already (made by someone, not by this test's CLI run)."""
        node = f"{name}-control-plane"
        self.world["kind"]["clusters"][name] = {"nodes": [node], "images": dict(images or {})}
        self.world["docker"]["containers"][node] = "c0ffee" + name
        self.world["kubectl"]["contexts"].append(f"kind-{name}")
        self.save()
        return node

    def cli(self, *argv: str) -> CliResult:
        stdout, stderr = io.StringIO(), io.StringIO()
        env = Environment(stdout=stdout, stderr=stderr, stdin=io.StringIO(),
                          environ=dict(self.environ))
        code = main(list(argv), env=env)
        return CliResult(code, stdout.getvalue(), stderr.getvalue())


class _VersionHandler(BaseHTTPRequestHandler):
    """Answers GET /version like an API server of Kubernetes v1.33.1."""

    def do_GET(self):
        if self.path.split("?")[0].rstrip("/") != "/version":
            self.send_error(404)
            return
        body = json.dumps({"major": "1", "minor": "33", "gitVersion": "v1.33.1"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def write_kubeconfig(path: Path, server: str, unreachable: str) -> Path:
    """Contexts kind-crashlab, kind-other and workshop answer; dead points at a closed port.

    Written as JSON (valid YAML) so the stub kubectl can read it without PyYAML.
    """
    clusters = {"up": server, "dead": unreachable}
    contexts = {"kind-crashlab": "up", "kind-other": "up", "workshop": "up", "dead": "dead"}
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": "kind-crashlab",
        "clusters": [{"name": name, "cluster": {"server": url}} for name, url in clusters.items()],
        "contexts": [{"name": name, "context": {"cluster": cluster, "user": "learner"}}
                     for name, cluster in contexts.items()],
        "users": [{"name": "learner", "user": {"token": "not-a-secret"}}],
    }
    path.write_text(json.dumps(config, indent=2) + "\n")
    return path


def start_api(tmp_dir: Path):
    """Serve GET /version on 127.0.0.1 and write a kubeconfig for it; returns (path, stop)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _VersionHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    closed = ThreadingHTTPServer(("127.0.0.1", 0), _VersionHandler)
    dead_url = f"http://127.0.0.1:{closed.server_address[1]}"
    closed.server_close()  # nothing listens there any more: connection refused
    path = write_kubeconfig(tmp_dir / "config", f"http://127.0.0.1:{server.server_address[1]}",
                            dead_url)
    return path, server.shutdown


def write_canned_stubs(bin_dir: Path, answers: dict[str, dict[tuple[str, ...], str]]) -> None:
    """Tiny /bin/sh stand-ins that print a fixed stdout per argv, for timing.

    They start in about a millisecond, like the real Go binaries, where the
    Python stubs above cost an interpreter start per call; an argv not in
    `answers` fails with exit 1.
    """
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool, replies in answers.items():
        cases = [f"  {shlex.quote(' '.join(argv))}) printf '%s\\n' {shlex.quote(text)} ;;"
                 for argv, text in replies.items()]
        script = "\n".join(["#!/bin/sh", 'case "$*" in', *cases,
                            f'  *) echo "{tool} stub: unexpected $*" >&2; exit 1 ;;', "esac", ""])
        path = bin_dir / tool
        path.write_text(script)
        path.chmod(0o755)
