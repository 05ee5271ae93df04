"""`crashlab cluster up --kit DIR` and `make lab-3 KIT=DIR` against the stub tools: the kit
is checked before anything is loaded, its images and tools arrive, the cluster is made
from its node image, nothing is built or downloaded. The stub `docker load` reads JSON
archives; tests/containers/test_kit.py loads real `docker save` archives."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runner.kind import versions
from runner.kind.images import LAB_IMAGE
from runner.kit import files
from runner.kit.manifest import (
    KitImage,
    Manifest,
    current_pins,
    published_checksum_text,
    tool_paths,
)
from runner.kit.wheels import this_target
from tests.kind.harness import launcher

NODE_TAG = versions.NODE_IMAGE.split("@")[0]
NODE_ID, LAB_ID = "sha256:" + "1" * 64, "sha256:" + "2" * 64
ROOT = Path(__file__).resolve().parents[2]
# `workshop kit` with wheels for this Python only: the whole matrix is one test's business.
HERE_PYTHON = ("--python", this_target().python)


def make_kit(folder, pins=None, platform="linux/amd64"):
    """A kit as `workshop kit` lays it out, with stub archives and the stub tools."""
    pins = pins or current_pins(LAB_IMAGE)
    (folder / "images").mkdir(parents=True)
    (folder / "images/kind-node.tar").write_text(json.dumps({NODE_TAG: NODE_ID}))
    (folder / "images/lab-app.tar").write_text(json.dumps({LAB_IMAGE: LAB_ID}))
    listed = ["images/kind-node.tar", "images/lab-app.tar"]
    platforms = ("linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64")
    body = launcher().encode()
    for item in platforms:
        os_name, arch = item.split("/")
        paths = tool_paths(os_name, arch)
        for tool, binary, checksum in zip(("kind", "kubectl"), paths[0::2], paths[1::2]):
            (folder / binary).parent.mkdir(parents=True, exist_ok=True)
            (folder / binary).write_bytes(body)
            (folder / checksum).write_text(published_checksum_text(
                tool, os_name, arch, hashlib.sha256(body).hexdigest()))
        listed += paths
    manifest = Manifest(pins, platform, platforms,
                        (KitImage("node", NODE_TAG, NODE_ID, "images/kind-node.tar"),
                         KitImage("lab", LAB_IMAGE, LAB_ID, "images/lab-app.tar")),
                        files.describe(folder, listed))
    (folder / "manifest.json").write_text(manifest.to_json())
    return folder


def test_up_from_a_kit_loads_installs_and_creates_the_cluster_offline(tools, tmp_path):
    kit = make_kit(tmp_path / "kit")
    tools.remove("kind")
    tools.remove("kubectl")
    result = tools.cli("cluster", "up", "--kit", str(kit))

    assert result.code == 0, result.err
    images = tools.load()["docker"]["images"]
    assert images[NODE_TAG] == NODE_ID and images[LAB_IMAGE] == LAB_ID
    for tool in ("kind", "kubectl"):
        assert (tools.tools_dir / tool).read_text() == launcher()
    create = next(c for c in tools.calls("kind") if c[1:3] == ["create", "cluster"])
    assert create[create.index("--image") + 1] == NODE_TAG
    assert "build" not in [call[1] for call in tools.calls("docker")]
    assert "will download" not in result.err and "network looks absent" not in result.err
    assert "files match manifest.json" in result.out
    assert "  Loading kindest/node:v1.35.8" in result.out
    assert "Ready: context kind-crashlab" in result.out


def test_a_kit_for_other_versions_is_one_line_and_nothing_is_loaded(tools, tmp_path):
    pins = current_pins(LAB_IMAGE)
    kit = make_kit(tmp_path / "kit", pins=type(pins)("v0.31.0", pins.kubectl, pins.node_image,
                                                     pins.lab_image))
    result = tools.cli("cluster", "up", "--kit", str(kit))

    assert result.code == 2
    assert result.err == ("crashlab: error: this kit is for other versions: kind v0.31.0 (this "
                          "crashlab pins v0.33.0): use the crashlab source in the kit (git clone "
                          "KIT/source/crashlab.bundle), or ask for a kit made from this "
                          "checkout\n")
    assert tools.load()["docker"]["images"] == {}


def test_a_kit_for_another_platform_says_which_to_ask_for(tools, tmp_path):
    kit = make_kit(tmp_path / "kit", platform="linux/arm64")
    result = tools.cli("cluster", "up", "--kit", str(kit))

    assert result.code == 2
    assert result.err == ("crashlab: error: this kit's images are for linux/arm64 but Docker "
                          "here runs linux/amd64: ask for a kit made on a linux/amd64 machine "
                          "(`crashlab workshop kit` saves the images of the machine it runs on)\n")


def test_a_missing_file_is_one_line(tools, tmp_path):
    kit = make_kit(tmp_path / "kit")
    (kit / tool_paths("darwin", "arm64")[2]).unlink()
    result = tools.cli("cluster", "up", "--kit", str(kit))

    assert result.code == 2
    assert result.err == ("crashlab: error: the kit has no tools/kubectl/v1.35.8/bin/darwin/"
                          "arm64/kubectl: copy the whole kit folder again from the instructor's "
                          "stick\n")
    assert tools.load()["docker"]["images"] == {}


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("target", ["lab-3", "lab-3-plus"])
def test_make_lab3_kit_checks_the_kit_first(tools, tmp_path, target):
    kit = make_kit(tmp_path / "kit")
    (kit / "images/lab-app.tar").write_text(json.dumps({LAB_IMAGE: "sha256:" + "3" * 64}))
    done = subprocess.run(["make", "-s", "-C", str(ROOT), target, f"KIT={kit}"],
                          env={**tools.environ, "PATH": f"{tools.bin}:/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=120)

    assert done.returncode != 0
    assert ("crashlab: error: images/lab-app.tar in the kit does not match its SHA-256 in "
            "manifest.json: the copy is damaged (nothing was loaded); copy the kit again"
            ) in done.stderr
    assert tools.load()["docker"]["images"] == {}


def write_mirror(root, binary_of=lambda tool, os_name, arch: launcher().encode()):
    """The download hosts' layout (file://) with the stub tools for every platform."""
    for os_name in versions.OPERATING_SYSTEMS:
        for arch in versions.ARCHITECTURES:
            paths = tool_paths(os_name, arch)
            for tool, binary, checksum in zip(("kind", "kubectl"), paths[0::2], paths[1::2]):
                body = binary_of(tool, os_name, arch)
                target = root / binary.removeprefix("tools/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(body)
                (root / checksum.removeprefix("tools/")).write_text(published_checksum_text(
                    tool, os_name, arch, hashlib.sha256(body).hexdigest()))
    return root


def instructor(tools, tmp_path, digest=versions.NODE_IMAGE.split("@")[1]):
    tools.world["docker"]["images"] = {NODE_TAG: NODE_ID, LAB_IMAGE: LAB_ID}
    tools.world["docker"]["repo_digests"] = {NODE_TAG: [f"kindest/node@{digest}"]}
    tools.save()
    tools.environ["CRASHLAB_DOWNLOAD_BASE"] = write_mirror(tmp_path / "mirror").as_uri()


def participant_up(tmp_path, kubeconfig, kit):
    """Another machine, with no kind or kubectl, runs `cluster up --kit KIT`."""
    from tests.kind.harness import FakeTools

    (tmp_path / "participant").mkdir()
    participant = FakeTools(tmp_path / "participant", kubeconfig)
    participant.remove("kind")
    participant.remove("kubectl")
    return participant, participant.cli("cluster", "up", "--kit", str(kit))


def test_a_kit_written_by_workshop_kit_brings_up_another_machine(tools, tmp_path, kubeconfig):
    instructor(tools, tmp_path)
    out = tmp_path / "stick" / "kit"
    made = tools.cli("workshop", "kit", "--out", str(out), *HERE_PYTHON)

    assert made.code == 0, made.err
    manifest = files.read_manifest(out)
    wheels = [item.path for item in manifest.files if item.path.startswith("wheels/")]
    assert f"Kit written to {out}: {20 + len(wheels)} files" in made.out
    assert this_target().key in manifest.wheels_for and len(manifest.wheels_for) == 4
    assert any(path.startswith("wheels/kubernetes-") for path in wheels)
    assert "  Saving kindest/node:v1.35.8" in made.out
    assert "  Downloading kubectl v1.35.8 (darwin/arm64)" in made.out
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(out / "source/crashlab.bundle"), str(clone)],
                   check=True, capture_output=True, timeout=120)
    on = subprocess.run(["git", "-C", str(ROOT), "symbolic-ref", "-q", "HEAD"], check=False,
                        capture_output=True, text=True).stdout.strip()
    cloned_on = subprocess.run(["git", "-C", str(clone), "symbolic-ref", "-q", "HEAD"],
                               check=False, capture_output=True, text=True).stdout.strip()
    assert cloned_on == on  # the instructor's branch, not a detached HEAD
    participant, result = participant_up(tmp_path, kubeconfig, out)

    assert result.code == 0, result.err
    assert participant.load()["docker"]["images"] == {NODE_TAG: NODE_ID, LAB_IMAGE: LAB_ID}
    assert "Ready: context kind-crashlab" in result.out


def test_workshop_kit_refuses_a_node_image_of_another_build(tools, tmp_path):
    instructor(tools, tmp_path, digest="sha256:" + "9" * 64)
    result = tools.cli("workshop", "kit", "--out", str(tmp_path / "kit"), *HERE_PYTHON)

    assert result.code == 3
    assert result.err.startswith("crashlab: error: Docker's kindest/node:v1.35.8 is not the "
                                 "pinned build (sha256:07b2536e30b8...): run `docker pull ")
    assert not (tmp_path / "kit").exists()


def test_a_failed_download_leaves_no_half_kit(tools, tmp_path):
    instructor(tools, tmp_path)
    (tmp_path / "mirror" / tool_paths("darwin", "arm64")[2].removeprefix("tools/")).unlink()
    result = tools.cli("workshop", "kit", "--out", str(tmp_path / "kit"), *HERE_PYTHON)

    assert result.code == 3
    assert result.err.startswith("crashlab: error: could not download file://")
    assert not (tmp_path / "kit").exists()


def test_workshop_kit_wants_a_new_or_empty_folder(tools, tmp_path):
    (tmp_path / "kit").mkdir()
    (tmp_path / "kit" / "notes.txt").write_text("mine")
    result = tools.cli("workshop", "kit", "--out", str(tmp_path / "kit"))

    assert result.code == 2
    assert result.err == (f"crashlab: error: --out {tmp_path / 'kit'}: exists and is not an "
                          "empty folder: give a new folder\n")
    assert (tmp_path / "kit" / "notes.txt").read_text() == "mine"


def test_the_kits_wheels_install_crashlab_with_no_index_for_every_python_and_platform(
        tools, tmp_path):
    """What `make lab-3 KIT=DIR` runs before the virtualenv exists: the kit check, then pip
    with --no-index (its own config ignored, so only the kit's wheels count) — for this
    Python for real (a dry run of crashlab itself), and for every other CPython and
    platform as pip resolves for that target."""
    from runner.kit import wheels
    from runner.kit.write import requirements

    instructor(tools, tmp_path)
    out = tmp_path / "kit"
    made = tools.cli("workshop", "kit", "--out", str(out))
    assert made.code == 0, made.err
    manifest = files.read_manifest(out)
    assert manifest.wheels_for == tuple(target.key for target in wheels.targets())
    assert "Downloading the Python packages for CPython 3.10, 3.11, 3.12, 3.13, 3.14, 3.15 on " \
           "4 platforms" in made.out
    checked = subprocess.run([sys.executable, "-S", "-m", "runner.kit.check", "--wheels",
                              str(out)], cwd=ROOT, env={"PYTHONPATH": str(ROOT)},
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(f"Kit {out}: ") and "files match manifest.json" in checked.stdout
    offline = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
    for variable in [name for name in offline if name.startswith("PIP_") and
                     name != "PIP_CONFIG_FILE"]:
        del offline[variable]
    dry = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet",
                          "--ignore-installed", "--no-index", "--find-links", str(out / "wheels"),
                          str(ROOT)], env=offline, capture_output=True, text=True, timeout=600)
    assert dry.returncode == 0, dry.stderr[-2000:]

    def resolves(target):
        return target, subprocess.run(
            [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
             "--no-index", "--find-links", str(out / "wheels"), *target.pip_options(),
             *requirements()], env=offline, capture_output=True, text=True, timeout=600)

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        failed = {target.key: done.stderr.strip().splitlines()[-1:]
                  for target, done in pool.map(resolves, wheels.targets()) if done.returncode}
    assert failed == {}
    platform_wheels = [path for path in files.read_manifest(out).files
                       if path.path.startswith("wheels/") and "none-any" not in path.path]
    assert any("macosx" in item.path and "arm64" in item.path for item in platform_wheels)
    assert any("aarch64" in item.path for item in platform_wheels)


def test_a_python_the_lab_does_not_run_on_is_one_line(tools, tmp_path):
    result = tools.cli("workshop", "kit", "--out", str(tmp_path / "kit"), "--python", "3.9")

    assert result.code == 2
    assert result.err == ("crashlab: error: --python 3.9: crashlab runs on CPython 3.10, 3.11, "
                          "3.12, 3.13, 3.14, 3.15; give one of those\n")
    assert not (tmp_path / "kit").exists()


def test_the_check_before_install_refuses_wheels_for_another_python(tools, tmp_path):
    kit = make_kit(tmp_path / "kit")  # its manifest names no wheels
    checked = subprocess.run([sys.executable, "-S", "-m", "runner.kit.check", "--wheels",
                              str(kit)], cwd=ROOT, env={"PYTHONPATH": str(ROOT)},
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 2
    assert checked.stderr == ("crashlab: error: this kit has no Python packages: run `make "
                              "setup` once with network, then `make lab-3 KIT=...` again\n")


def test_a_kit_from_the_other_image_store_is_recognised_by_its_config_digest(tools, tmp_path):
    """Made on a containerd-store Docker (`.Id` = manifest digest), loaded on a classic one
    (`.Id` = config digest): the manifest's `config` is accepted (kind #4236)."""
    kit = make_kit(tmp_path / "kit")
    data = json.loads((kit / "manifest.json").read_text())
    for image in data["images"]:
        image["config"], image["id"] = image["id"], "sha256:" + "e" * 64
    (kit / "manifest.json").write_text(json.dumps(data))
    result = tools.cli("cluster", "up", "--kit", str(kit))

    assert result.code == 0, result.err
    assert tools.load()["docker"]["images"] == {NODE_TAG: NODE_ID, LAB_IMAGE: LAB_ID}
