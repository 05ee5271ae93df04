"""The classroom kit with real Docker: made from the tier's engine, loaded into a second
engine that has no registry access.

The node image is a stand-in: a tiny rootfs `docker import`ed and tagged as the pinned
kindest/node tag (the real one cannot be pulled here). An imported image has no
registry digest, so the kit is made with the pins of this checkout except the node
image's digest; that the real pins refuse such an image is the first test. The lab
image is the real one the tier builds. Sizes and times land in the tier's summary line.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
from pathlib import Path

import pytest

from runner.cli import main
from runner.cli.env import Environment
from runner.errors import EXIT_BAD_INPUT, EXIT_ENVIRONMENT
from runner.kind import versions
from runner.kind.fetch import DownloadFailed
from runner.kit import load, write
from runner.kit.manifest import KitError, Pins, tool_paths
from runner.kit.wheels import this_target
from tests.containers.engine import TIER, EngineUnavailable
from tests.containers.second_engine import OfflineEngine
from tests.kind.test_kit_cli import write_mirror

pytestmark = pytest.mark.containers

NODE_TAG = versions.NODE_IMAGE.split("@")[0]
HOST = load.host_platform()


def _rootfs() -> bytes:
    """A two-file rootfs, unique per run so its image ID is new."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in (("etc/os-release", b"NAME=stand-in kind node\n"),
                           ("stand-in", os.urandom(4096))):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def stand_in_node(docker_engine):
    docker_engine.run("import", "--message", "crashlab kit test: stand-in node image", "-",
                      NODE_TAG, input=_rootfs())
    yield docker_engine.inspect(NODE_TAG)["Id"]
    docker_engine.run("rmi", NODE_TAG, check=False)


def _tool_binary(tool: str, os_name: str, arch: str) -> bytes:
    version = versions.pinned_version(tool)
    return f"#!/bin/sh\necho '{tool} {version} {os_name}/{arch} (kit test stand-in)'\n".encode()


@pytest.fixture(scope="module")
def mirror(tmp_path_factory) -> Path:
    """kind and kubectl for every platform, laid out like their download hosts."""
    return write_mirror(tmp_path_factory.mktemp("mirror"), _tool_binary)


@pytest.fixture(scope="module")
def pins(lab_image) -> Pins:
    return Pins(versions.KIND_VERSION, versions.KUBECTL_VERSION, NODE_TAG, lab_image[0])


@pytest.fixture(scope="module")
def kit(docker_engine, stand_in_node, pins, mirror, tmp_path_factory):
    out = tmp_path_factory.mktemp("kit") / "crashlab-kit"
    environ = {**docker_engine.env, "CRASHLAB_DOWNLOAD_BASE": mirror.as_uri()}
    seen: list[str] = []
    started = time.monotonic()
    manifest = write.make_kit(out, pins, environ=environ,  # wheels: tests/kind's business
                              progress=lambda label, done, total: seen.append(label),
                              pythons=(this_target().python,))
    seconds = time.monotonic() - started
    size = sum(item.size for item in manifest.files)
    sizes = {item.path: item.size for item in manifest.files}
    TIER["kit"] = (f"kit {size / 1e6:.0f} MB (lab image archive "
                   f"{sizes[write.IMAGE_FILES['lab']] / 1e6:.0f} MB, source bundle "
                   f"{sizes[write.SOURCE_FILE] / 1e6:.1f} MB, wheels "
                   f"{sum(n for path, n in sizes.items() if path.startswith('wheels/')) / 1e6:.0f}"
                   f" MB) written in {seconds:.1f}s")
    return out, manifest, seen


@pytest.fixture(scope="module")
def offline():
    engine = OfflineEngine()
    try:
        started = engine.start()
    except EngineUnavailable as exc:
        pytest.skip(f"container tier: {exc}")
    try:
        yield started
    finally:
        engine.stop()


def test_the_real_pins_refuse_a_node_image_without_the_pinned_digest(docker_engine,
                                                                     stand_in_node, tmp_path):
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdout=stdout, stderr=stderr, stdin=io.StringIO(),
                      environ={**docker_engine.env})
    code = main(["workshop", "kit", "--out", str(tmp_path / "kit")], env=env)

    assert code == EXIT_ENVIRONMENT
    assert stderr.getvalue() == (f"crashlab: error: Docker's {NODE_TAG} is not the pinned build "
                                 f"(sha256:07b2536e30b8...): run `docker pull "
                                 f"{versions.NODE_IMAGE}`, then make the kit again\n")
    assert not (tmp_path / "kit" / "images").exists()


def test_the_kit_lists_every_file_with_its_sha256_and_the_image_ids(kit, stand_in_node,
                                                                   lab_image, docker_engine):
    out, manifest, seen = kit
    on_disk = {str(path.relative_to(out)) for path in out.rglob("*") if path.is_file()}
    assert on_disk - {path.path for path in manifest.files} == {"manifest.json"}
    for item in manifest.files:
        assert hashlib.sha256((out / item.path).read_bytes()).hexdigest() == item.sha256
    assert {i.role: i.image_id for i in manifest.images} == {
        "node": stand_in_node, "lab": docker_engine.inspect(lab_image[0])["Id"]}
    # Classic image store: the ID is the config digest named in the archive's manifest.json.
    assert all(image.config == image.image_id for image in manifest.images)
    assert set(manifest.tool_platforms) == {"linux/amd64", "linux/arm64", "darwin/amd64",
                                            "darwin/arm64"}
    assert json.loads((out / "manifest.json").read_text())["pins"]["kind"] == "v0.33.0"
    assert f"Saving {NODE_TAG}" in seen and f"Saving {lab_image[0]}" in seen
    assert "git clone" in (out / "README.txt").read_text()


def test_the_second_engine_cannot_pull(offline):
    pulled = offline.run("pull", "busybox:latest", check=False, timeout=60)
    assert pulled.returncode != 0


def test_a_corrupted_archive_is_refused_before_anything_is_loaded(kit, pins, offline):
    out, manifest, _ = kit
    archive = out / manifest.image("lab").file
    middle = archive.stat().st_size // 2
    with open(archive, "r+b") as file:
        file.seek(middle)
        byte = file.read(1)
        file.seek(middle)
        file.write(bytes([byte[0] ^ 0xFF]))
    try:
        with pytest.raises(KitError) as refused:
            load.check_kit(out, pins, environ=offline.env)
    finally:
        with open(archive, "r+b") as file:
            file.seek(middle)
            file.write(byte)
    assert str(refused.value) == ("images/lab-app.tar in the kit does not match its SHA-256 in "
                                  "manifest.json: the copy is damaged (nothing was loaded); "
                                  "copy the kit again")
    assert refused.value.exit_code == EXIT_BAD_INPUT
    assert offline.run("images", "-q").stdout.strip() == ""


def test_the_images_arrive_in_the_offline_engine_with_their_ids(kit, pins, offline):
    out, manifest, _ = kit
    seen: list[str] = []
    started = time.monotonic()
    checked = load.check_kit(out, pins, environ=offline.env)
    verified = time.monotonic()
    loaded = load.load_images(out, checked, environ=offline.env,
                              progress=lambda label, done, total: seen.append(label))
    finished = time.monotonic()

    assert loaded == [NODE_TAG, pins.lab_image]
    for image in manifest.images:
        assert offline.inspect(image.ref)["Id"] == image.image_id
    assert seen[0] == f"Loading {NODE_TAG}" and seen[-1] == f"Loading {pins.lab_image}"
    TIER["kit"] += (f"; checked in {verified - started:.1f}s, loaded into an empty engine in "
                    f"{finished - verified:.1f}s")
    assert load.load_images(out, checked, environ=offline.env) == []  # same IDs: not again


def test_tools_are_installed_from_the_kit_with_their_checksums_checked(kit, tmp_path):
    out, _, _ = kit
    environ = {**os.environ, "CRASHLAB_TOOLS_DIR": str(tmp_path / "bin")}
    installed = load.install_tools(out, environ, host=HOST)

    os_name, arch = HOST.split("/")
    assert [path.name for path in installed] == ["kind", "kubectl"]
    for path in installed:
        assert path.read_bytes() == _tool_binary(path.name, os_name, arch)
        assert os.access(path, os.X_OK)
    kubectl = out / tool_paths(os_name, arch)[2]
    good = kubectl.read_bytes()
    kubectl.write_bytes(good.replace(b"stand-in", b"STAND-IN"))
    try:
        with pytest.raises(DownloadFailed, match="has SHA-256 .* not the published"):
            load.install_tools(out, {**environ, "CRASHLAB_TOOLS_DIR": str(tmp_path / "b2")},
                               host=HOST)
    finally:
        kubectl.write_bytes(good)
    assert not (tmp_path / "b2" / "kubectl").exists()
