"""The kit manifest: round trip, the checks that refuse a kit, and file verification."""

import json

import pytest

from runner.errors import EXIT_BAD_INPUT
from runner.kit import files
from runner.kit.manifest import (
    KitError,
    KitImage,
    Manifest,
    Pins,
    check_listed,
    check_pins,
    check_platform,
    current_pins,
    parse_manifest,
    tool_paths,
)

PINS = current_pins("crashlab/lab-app:0.1.0")


def _kit(tmp_path, pins=PINS):
    (tmp_path / "images").mkdir()
    (tmp_path / "images/node.tar").write_bytes(b"node" * 1000)
    (tmp_path / "images/lab.tar").write_bytes(b"lab" * 1000)
    listed = files.describe(tmp_path, ["images/node.tar", "images/lab.tar"])
    manifest = Manifest(pins, "linux/amd64", ("linux/amd64", "darwin/arm64"),
                        (KitImage("node", pins.node_tag, "sha256:" + "1" * 64, "images/node.tar"),
                         KitImage("lab", pins.lab_image, "sha256:" + "2" * 64, "images/lab.tar")),
                        listed)
    (tmp_path / "manifest.json").write_text(manifest.to_json())
    return manifest


def test_manifest_round_trips_through_json(tmp_path):
    manifest = _kit(tmp_path)
    assert parse_manifest(manifest.to_json()) == manifest
    assert files.read_manifest(tmp_path) == manifest


def test_pins_split_the_node_image_into_tag_and_digest():
    assert PINS.node_tag == "kindest/node:v1.35.8"
    assert PINS.node_digest.startswith("sha256:07b2536e")
    assert Pins("v1", "v2", "kindest/node:v1.35.8", "lab").node_digest is None


def test_a_kit_for_other_versions_names_each_difference(tmp_path):
    manifest = _kit(tmp_path, Pins("v0.32.0", PINS.kubectl, PINS.node_image, PINS.lab_image))
    with pytest.raises(KitError) as refused:
        check_pins(manifest, PINS)
    assert str(refused.value).startswith("this kit is for other versions: kind v0.32.0 "
                                         "(this crashlab pins v0.33.0)")
    assert "\n" not in str(refused.value) and refused.value.exit_code == EXIT_BAD_INPUT


def test_a_kit_for_another_platform_says_which_to_ask_for(tmp_path):
    manifest = _kit(tmp_path)
    with pytest.raises(KitError, match="images are for linux/amd64 but Docker here runs "
                       "linux/arm64: ask for a kit made on a linux/arm64 machine"):
        check_platform(manifest, "linux/arm64", "darwin/arm64")
    with pytest.raises(KitError, match="not for this machine \\(darwin/amd64\\)"):
        check_platform(manifest, "linux/amd64", "darwin/amd64")
    check_platform(manifest, "linux/amd64", "darwin/arm64")


def test_a_missing_truncated_or_changed_file_is_refused(tmp_path):
    manifest = _kit(tmp_path)
    files.verify(tmp_path, manifest)
    node = tmp_path / "images/node.tar"
    node.write_bytes(b"node" * 999 + b"NODE")  # same size, other bytes
    with pytest.raises(KitError, match="images/node.tar in the kit does not match its SHA-256"):
        files.verify(tmp_path, manifest)
    node.write_bytes(b"node")
    with pytest.raises(KitError, match="is 4 bytes, not 4000: the copy is incomplete"):
        files.verify(tmp_path, manifest)
    node.unlink()
    with pytest.raises(KitError, match="the kit has no images/node.tar: copy the whole kit"):
        files.verify(tmp_path, manifest)


def test_verify_reports_progress_over_all_files(tmp_path):
    manifest, seen = _kit(tmp_path), []
    files.verify(tmp_path, manifest, lambda done, total: seen.append((done, total)))
    assert seen[-1] == (7000, 7000)


def test_bad_manifests_name_the_field(tmp_path):
    with pytest.raises(KitError, match="is not JSON"):
        parse_manifest("{", "kit/manifest.json")
    with pytest.raises(KitError, match="format is 'crashlab-kit/9'"):
        parse_manifest(json.dumps({"format": "crashlab-kit/9"}))
    data = json.loads(_kit(tmp_path).to_json())
    del data["pins"]["kubectl"]
    with pytest.raises(KitError, match="field 'kubectl' is missing"):
        parse_manifest(json.dumps(data))
    with pytest.raises(KitError, match="no such folder"):
        files.read_manifest(tmp_path / "nope")
    (tmp_path / "manifest.json").unlink()
    with pytest.raises(KitError, match="manifest.json is missing: --kit must be the kit folder"):
        files.read_manifest(tmp_path)


def test_an_image_archive_outside_the_file_list_is_refused(tmp_path):
    manifest = _kit(tmp_path)
    broken = Manifest(manifest.pins, manifest.image_platform, manifest.tool_platforms,
                      manifest.images, manifest.files[1:])
    with pytest.raises(KitError, match="names images/node.tar, which the file list does not"):
        check_listed(broken)


def test_tools_are_laid_out_like_their_download_hosts():
    assert tool_paths("darwin", "arm64") == [
        "tools/kind/v0.33.0/kind-darwin-arm64", "tools/kind/v0.33.0/kind-darwin-arm64.sha256sum",
        "tools/kubectl/v1.35.8/bin/darwin/arm64/kubectl",
        "tools/kubectl/v1.35.8/bin/darwin/arm64/kubectl.sha256"]


def test_wheels_for_another_python_say_which_python_to_use(tmp_path):
    from dataclasses import replace

    from runner.kit.manifest import check_wheels
    from runner.kit.wheels import Target

    manifest = replace(_kit(tmp_path), wheels_for=("3.12 linux/amd64", "3.13 linux/amd64",
                                                   "3.13 darwin/arm64"))
    check_wheels(manifest, Target("3.12", "linux/amd64"), "CPython 3.12 on linux/amd64")
    with pytest.raises(KitError) as refused:
        check_wheels(manifest, Target("3.11", "linux/amd64"), "CPython 3.11 on linux/amd64")
    assert str(refused.value) == ("this kit's Python packages are for Python 3.12, 3.13 on "
                                  "linux/amd64, this is CPython 3.11 on linux/amd64: run `make "
                                  "PYTHON=python3.13 lab-3 KIT=...` (any of those Pythons will "
                                  "do); else run `make setup` once with network")
    with pytest.raises(KitError) as refused:
        check_wheels(manifest, None, "PyPy 3.11 on linux/amd64")
    assert str(refused.value) == ("this kit's Python packages are for CPython on darwin/arm64, "
                                  "linux/amd64, this is PyPy 3.11 on linux/amd64: use a CPython "
                                  "3.10 or newer on one of those, or run `make setup` once with "
                                  "network")
    with pytest.raises(KitError, match="has no Python packages"):
        check_wheels(replace(manifest, wheels_for=()), Target("3.12", "linux/amd64"), "x")


def test_the_wheel_targets_round_trip_and_a_bad_one_is_named(tmp_path):
    from dataclasses import replace

    manifest = replace(_kit(tmp_path), wheels_for=("3.10 linux/arm64", "3.15 darwin/amd64"))
    assert parse_manifest(manifest.to_json()) == manifest
    data = json.loads(manifest.to_json())
    data["wheels_for"] = ["cp311-linux_x86_64"]  # the first kit format's single tag
    with pytest.raises(KitError, match="field wheels_for is missing or not the right type"):
        parse_manifest(json.dumps(data))


def test_the_config_digest_is_read_from_a_saved_archives_manifest(tmp_path):
    import io
    import tarfile

    hex64 = "ab" * 32
    archive = tmp_path / "image.tar"
    with tarfile.open(archive, "w") as tar:
        for name, data in ((f"{hex64}.json", b"{}"), ("manifest.json", json.dumps(
                [{"Config": f"{hex64}.json", "RepoTags": ["x:1"], "Layers": []}]).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    assert files.archive_config_digest(archive) == f"sha256:{hex64}"
    # Docker Engine 25+ (release notes: `docker save` output is OCI compliant, moby #44598)
    # keeps the legacy manifest.json but names the config by its blob path.
    with tarfile.open(archive, "w") as tar:
        for name, data in ((f"blobs/sha256/{hex64}", b"{}"), ("index.json", b"{}"),
                           ("manifest.json", json.dumps([{"Config": f"blobs/sha256/{hex64}",
                                                          "RepoTags": ["x:1"],
                                                          "Layers": []}]).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    assert files.archive_config_digest(archive) == f"sha256:{hex64}"
    archive.write_bytes(b"not a tar")
    assert files.archive_config_digest(archive) == ""


def test_an_image_is_recognised_by_its_id_or_its_config_digest():
    image = KitImage("lab", "x:1", "sha256:" + "1" * 64, "images/lab.tar", "sha256:" + "2" * 64)
    assert image.accepted_ids == {"sha256:" + "1" * 64, "sha256:" + "2" * 64}
    assert KitImage("lab", "x:1", "sha256:" + "1" * 64, "f").accepted_ids == {"sha256:" + "1" * 64}
