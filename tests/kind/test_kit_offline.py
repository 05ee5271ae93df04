"""Done-when of issue 17: a participant's machine needs nothing from the network when
given a kit. Proved where there is no network at all: a new network namespace
(`unshare --net`, only loopback) in which the participant clones the lab from the kit's
git bundle and runs `make lab-3 KIT=...` for real.

The instructor side runs here, with the stub tools world of tests/kind/test_kit_cli.py
(the real git bundle of HEAD and the real wheels, fetched by pip before going offline).
The participant has the stub docker and system tools only: no kind, no kubectl, no pip
settings (pip sees the kit's wheels and nothing else), no CRASHLAB_DOWNLOAD_BASE. The
cluster behind kind's context is the API emulator, served inside the namespace.

The participant gets HEAD (the bundle), so commit before running this locally.
"""

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from runner.kind.images import LAB_IMAGE
from runner.kit.wheels import this_target
from tests.kind.harness import FakeTools
from tests.kind.test_kit_cli import LAB_ID, NODE_ID, NODE_TAG, instructor

ROOT = Path(__file__).resolve().parents[2]
# What the Makefile, venv and pip run on the participant's machine, besides Python.
SYSTEM_TOOLS = ("make", "sh", "env", "find", "touch", "cat", "git")


def unshare_refusal() -> str | None:
    """Why this machine cannot make a network namespace, or None when it can."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return "unshare (util-linux) is not installed"
    tried = subprocess.run([unshare, "--net", "true"], capture_output=True, text=True,
                           timeout=30, check=False)
    if tried.returncode != 0:
        return f"`unshare --net` is not permitted here ({tried.stderr.strip() or 'no reason'})"
    return None


@pytest.fixture
def offline():
    """`unshare`, or a skip with the reason; in CI (CI or CRASHLAB_REQUIRE_DOCKER=1) a
    failure, so the proof can never be skipped silently there."""
    reason = unshare_refusal()
    if reason is None:
        return shutil.which("unshare")
    if os.environ.get("CI") or os.environ.get("CRASHLAB_REQUIRE_DOCKER") == "1":
        pytest.fail(f"the offline kit test is required in CI but {reason}", pytrace=False)
    pytest.skip(f"offline kit test skipped: {reason}")


def participant_machine(root: Path) -> tuple[FakeTools, dict[str, str]]:
    """Stub docker with an empty image store, the system tools and Python; the environment
    of a fresh login (no PIP_* settings, pip's config files ignored)."""
    root.mkdir()
    machine = FakeTools(root, Path(os.devnull))  # KUBECONFIG: the emulator's, set inside
    machine.remove("kind")
    machine.remove("kubectl")
    system = root / "system-bin"
    system.mkdir()
    for name in SYSTEM_TOOLS:
        (system / name).symlink_to(shutil.which(name))
    (system / "python3").symlink_to(os.path.realpath(sys._base_executable))
    environ = {"PATH": f"{machine.bin}:{system}", "HOME": str(machine.home), "NO_COLOR": "1",
               "FAKE_TOOLS_STATE": str(machine.state_file),
               "FAKE_TOOLS_LOG": str(machine.log_file), "PIP_CONFIG_FILE": os.devnull}
    return machine, environ


def uncommitted() -> str:
    done = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain",
                           "--untracked-files=no"], capture_output=True, text=True,
                          check=False)
    return (" (this checkout has uncommitted changes; the kit carries HEAD: commit first)"
            if done.stdout.strip() else "")


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("git") is None,
                    reason="make and git are needed")
def test_a_participant_runs_lab3_from_the_kit_with_no_network(offline, tools, tmp_path):
    instructor(tools, tmp_path)
    kit = tmp_path / "kit"
    # Wheels for this Python only: test_kit_cli proves the whole matrix resolves.
    made = tools.cli("workshop", "kit", "--out", str(kit), "--python", this_target().python)
    assert made.code == 0, made.err

    machine, environ = participant_machine(tmp_path / "participant")
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(
        {"bad-command": {"cause": "bad_command", "evidence": "exec-message"}}))
    clone = tmp_path / "participant" / "crashlab"
    args = (f"--yes --participant ada "
            f"--answers {answers} --solve --only bad-command --stability-window 1 "
            f"--results {tmp_path / 'results'} --workspace {tmp_path / 'workspace'}")
    config = tmp_path / "offline.json"
    report = tmp_path / "report.json"
    (tmp_path / "emulator").mkdir()
    config.write_text(json.dumps({
        "environ": environ, "clone": str(clone), "bundle": str(kit / "source/crashlab.bundle"),
        "kit": str(kit), "args": args, "checkout": str(ROOT), "report": str(report),
        "emulator_dir": str(tmp_path / "emulator"),
        "emulator_log": str(tmp_path / "emulator.log")}))
    driver = subprocess.run([offline, "--net", sys.executable, "-m",
                             "tests.kind.offline_participant", str(config)],
                            cwd=ROOT, capture_output=True, text=True, timeout=1200,
                            check=False)
    assert driver.returncode == 0, driver.stderr
    happened = json.loads(report.read_text())

    assert happened["public"] == errno.errorcode[errno.ENETUNREACH]
    assert happened["clone"]["code"] == 0, happened["clone"]["err"]
    said = happened["make"]["out"] + happened["make"]["err"]
    assert happened["make"]["code"] == 0, said + uncommitted()
    assert "will download" not in said and "network looks absent" not in said
    assert "Installing crashlab into .venv ..." in said
    assert (clone / ".venv/bin/crashlab").exists()
    assert f"Kit {kit}: " in said and "files match manifest.json" in said
    assert machine.load()["docker"]["images"] == {NODE_TAG: NODE_ID, LAB_IMAGE: LAB_ID}
    installed = clone / ".venv/bin"
    assert f"kind and kubectl: SHA-256 verified, installed into {installed}" in said
    for tool in ("kind", "kubectl"):
        assert machine.paths_used(tool) == {str(installed / tool)}
    assert "build" not in [call[1] for call in machine.calls("docker")]
    assert (tmp_path / "results" / "lab-3-ada.json").exists()
