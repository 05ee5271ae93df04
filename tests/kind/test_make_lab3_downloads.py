"""Done-when of issue 13: on a machine with Docker and Python only (no kind, no kubectl on
PATH), `make lab-3` downloads both from the (local test) server, verifies them, uses them,
and runs the lab; a corrupted download is refused and deleted.

`make` runs for real in a subprocess; docker is the stub, kind and kubectl are the stub
binaries as served by tests/kind/download_server.py; the cluster behind kind's context is
the API emulator with its test kubelet.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.harness.fixtures import k8s_api, kubelet  # noqa: F401
from tests.kind.download_server import DownloadServer
from tests.kind.harness import launcher

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_TOOLS = ("make", "find", "sh", "env", "touch", "cat")  # what the Makefile runs


@pytest.fixture
def server():
    served = DownloadServer({"kind": launcher().encode(), "kubectl": launcher().encode()})
    yield served
    served.stop()


def machine_path(tools, tmp_path) -> str:
    """PATH of a machine with Docker and Python only: the stub docker, make and a shell."""
    system = tmp_path / "system-bin"
    system.mkdir()
    for name in SYSTEM_TOOLS:
        (system / name).symlink_to(shutil.which(name))
    tools.remove("kind")
    tools.remove("kubectl")
    return f"{tools.bin}:{system}"


def make_lab3(tools, k8s_api, server, tmp_path):  # noqa: F811
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(
        {"bad-command": {"cause": "bad_command", "evidence": "exec-message"}}))
    world = tools.load()
    world["kubectl"]["contexts"] = []
    tools.save()
    args = (f"--yes --name {k8s_api.context.removeprefix('kind-')} --participant ada "
            f"--answers {answers} --solve --only bad-command --stability-window 1 "
            f"--results {tmp_path / 'results'} --workspace {tmp_path / 'workspace'}")
    environ = {**tools.environ, "PATH": machine_path(tools, tmp_path),
               "KUBECONFIG": str(k8s_api.kubeconfig), "CRASHLAB_DOWNLOAD_BASE": server.base}
    del environ["CRASHLAB_NO_DOWNLOAD"]
    return subprocess.run(["make", "-s", "-C", str(ROOT), "lab-3", f"ARGS={args}"],
                          env=environ, capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab3_downloads_verifies_and_uses_kind_and_kubectl(tools, k8s_api, kubelet,  # noqa: F811
                                                                 server, tmp_path):
    done = make_lab3(tools, k8s_api, server, tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    for tool in ("kind", "kubectl"):
        path = tools.tools_dir / tool
        assert os.access(path, os.X_OK)
        assert f"SHA-256 verified, installed as {path}" in done.stdout
        assert tools.paths_used(tool) == {str(path)}
    assert any(call[:3] == ["kind", "create", "cluster"] for call in tools.calls())
    assert (tmp_path / "results" / "lab-3-ada.json").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab3_refuses_a_corrupted_download(tools, k8s_api, server, tmp_path):  # noqa: F811
    server.modes["kubectl"] = "corrupted"

    done = make_lab3(tools, k8s_api, server, tmp_path)

    assert done.returncode != 0
    [line] = [line for line in done.stderr.splitlines() if line.startswith("crashlab: error:")]
    assert "kubectl v1.35.8 from http://127.0.0.1:" in line and "the file was deleted" in line
    assert not (tools.tools_dir / "kubectl").exists()
    assert not (tools.tools_dir / ".kubectl.part").exists()
    assert not any(call[:2] == ["kind", "create"] for call in tools.calls())
