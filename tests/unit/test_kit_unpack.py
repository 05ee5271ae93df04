"""A kit given as one .tar: the member rule, and that unpacking leaves either a whole kit
folder or nothing (no half folder, nothing outside the folder beside the tar)."""

import copy
import io
import tarfile

import pytest

from runner.kit import files, unpack
from runner.kit.manifest import KitError, Manifest, current_pins

PINS = current_pins("crashlab/lab-app:0.1.0")


def _folder(root):
    """A small kit folder: two files and the manifest listing them."""
    (root / "images").mkdir(parents=True)
    (root / "images/node.tar").write_bytes(b"node" * 5000)
    (root / "README.txt").write_text("read me\n")
    manifest = Manifest(PINS, "linux/amd64", ("linux/amd64",), (),
                        files.describe(root, ["images/node.tar", "README.txt"]))
    (root / "manifest.json").write_text(manifest.to_json())
    return root


def _tar(path, folder, top="crashlab-kit", extra=()):
    """`folder` packed as the writer does (manifest first, under `top/`), then `extra`
    (TarInfo, bytes) members appended."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w") as tar:
        for name in ("manifest.json", "images/node.tar", "README.txt"):
            tar.add(folder / name, arcname=f"{top}/{name}")
        for info, data in extra:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _member(name, kind=tarfile.REGTYPE, data=b"evil", link=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, (data if kind == tarfile.REGTYPE else None)


@pytest.mark.parametrize(("name", "kind", "why"), [
    ("kit/images/node.tar", tarfile.REGTYPE, None),
    ("kit/images/", tarfile.DIRTYPE, None),
    ("kit", tarfile.DIRTYPE, None),
    ("/etc/cron.d/evil", tarfile.REGTYPE, "an absolute path"),
    ("../evil", tarfile.REGTYPE, "a path leaving its folder (`.` or `..`)"),
    ("kit/../../evil", tarfile.REGTYPE, "a path leaving its folder (`.` or `..`)"),
    ("kit/./x", tarfile.REGTYPE, "a path leaving its folder (`.` or `..`)"),
    ("kit//x", tarfile.REGTYPE, "a path leaving its folder (`.` or `..`)"),
    ("kit/link", tarfile.SYMTYPE, "a link"),
    ("kit/hard", tarfile.LNKTYPE, "a link"),
    ("kit/tty", tarfile.CHRTYPE, "not a regular file or folder (a device, pipe or the like)"),
    ("kit/disk", tarfile.BLKTYPE, "not a regular file or folder (a device, pipe or the like)"),
    ("kit/fifo", tarfile.FIFOTYPE, "not a regular file or folder (a device, pipe or the like)"),
    ("manifest.json", tarfile.REGTYPE, "a file outside the kit's one top folder"),
])
def test_the_member_rule(name, kind, why):
    info = tarfile.TarInfo(name)
    info.type = kind
    assert unpack.check_member(info) == why


def test_a_path_ending_in_tar_is_unpacked_beside_itself(tmp_path):
    assert unpack.is_tar(tmp_path / "crashlab-kit.tar")
    assert not unpack.is_tar(tmp_path / "crashlab-kit")
    assert unpack.unpacked_folder(tmp_path / "a.b" / "kit-amd64.tar") == tmp_path / "a.b/kit-amd64"
    assert unpack.kit_folder(tmp_path / "kit") == tmp_path / "kit"  # a folder is itself


def test_unpacking_gives_the_kit_folder_and_nothing_else(tmp_path):
    tar = _tar(tmp_path / "stick" / "kit-amd64.tar", _folder(tmp_path / "made"),
               top="crashlab-kit")  # renamed after it was made: the folder takes its stem
    seen = []
    folder = unpack.kit_folder(tar, lambda done, total: seen.append((done, total)))

    assert folder == tmp_path / "stick" / "kit-amd64"
    assert sorted(p.name for p in (tmp_path / "stick").iterdir()) == ["kit-amd64",
                                                                      "kit-amd64.tar"]
    assert (folder / "images/node.tar").read_bytes() == b"node" * 5000
    files.verify(folder, files.read_manifest(folder))
    total = 20000 + 8 + (folder / "manifest.json").stat().st_size
    assert seen[-1] == (total, total)


def test_a_folder_already_unpacked_is_reused_without_reading_the_tar(tmp_path):
    _folder(tmp_path / "crashlab-kit")
    (tmp_path / "crashlab-kit.tar").write_bytes(b"not even a tar")
    assert unpack.kit_folder(tmp_path / "crashlab-kit.tar") == tmp_path / "crashlab-kit"


def test_a_folder_of_that_name_without_a_manifest_is_left_alone(tmp_path):
    tar = _tar(tmp_path / "crashlab-kit.tar", _folder(tmp_path / "made"))
    (tmp_path / "crashlab-kit").mkdir()
    (tmp_path / "crashlab-kit" / "notes.txt").write_text("mine")
    with pytest.raises(KitError) as refused:
        unpack.kit_folder(tar)
    assert str(refused.value) == (f"{tmp_path / 'crashlab-kit'} exists and holds no "
                                  "manifest.json: move it away, then unpack crashlab-kit.tar again")
    assert [p.name for p in (tmp_path / "crashlab-kit").iterdir()] == ["notes.txt"]


def test_a_missing_tar_says_what_to_give(tmp_path):
    with pytest.raises(KitError) as refused:
        unpack.kit_folder(tmp_path / "crashlab-kit.tar")
    assert str(refused.value) == (f"--kit {tmp_path / 'crashlab-kit.tar'}: no such file: give the "
                                  ".tar copied from the instructor's stick (or the folder it "
                                  "unpacks into)")


def _refused(tar):
    with pytest.raises(KitError) as refused:
        unpack.kit_folder(tar)
    assert refused.value.exit_code == 2
    assert "\n" not in str(refused.value)
    # nothing left beside the tar: no folder, no temporary folder
    assert [p.name for p in tar.parent.iterdir()] == [tar.name]
    return str(refused.value)


@pytest.mark.parametrize("cut", ["in the image's bytes", "in the README's header"])
def test_a_truncated_tar_is_refused_and_leaves_nothing(tmp_path, cut):
    made = _folder(tmp_path / "made")
    whole = _tar(tmp_path / "whole.tar", made)
    with tarfile.open(whole) as read:
        node, readme = read.getmember("crashlab-kit/images/node.tar"), read.getmembers()[-1]
    keep = node.offset_data + 7000 if cut == "in the image's bytes" else readme.offset + 300
    (tmp_path / "stick").mkdir()
    tar = tmp_path / "stick" / "crashlab-kit.tar"
    tar.write_bytes(whole.read_bytes()[:keep])

    message = _refused(tar)
    assert message.startswith(f"{tar} is ")
    assert message.endswith(": copy the kit again from the instructor's stick (nothing was "
                            "loaded)")


def test_a_tar_cut_at_a_member_boundary_is_found_incomplete(tmp_path):
    made = _folder(tmp_path / "made")
    (tmp_path / "stick").mkdir()
    tar = tmp_path / "stick" / "crashlab-kit.tar"
    with tarfile.open(tar, "w") as out:  # README.txt never arrived
        for name in ("manifest.json", "images/node.tar"):
            out.add(made / name, arcname=f"crashlab-kit/{name}")
    assert _refused(tar) == (f"{tar} is damaged or incomplete (the kit has no README.txt): copy "
                             "the kit again from the instructor's stick (nothing was loaded)")


def test_a_flipped_byte_is_found_before_the_folder_appears(tmp_path):
    made = _folder(tmp_path / "made")
    (made / "images/node.tar").write_bytes(b"nodf" + b"node" * 4999)
    (tmp_path / "stick").mkdir()
    tar = _tar(tmp_path / "stick" / "crashlab-kit.tar", made)
    assert _refused(tar) == (f"{tar} is damaged or incomplete (images/node.tar in the kit does "
                             "not match its SHA-256 in manifest.json): copy the kit again from "
                             "the instructor's stick (nothing was loaded)")


def test_a_file_that_is_no_tar_is_refused(tmp_path):
    (tmp_path / "stick").mkdir()
    tar = tmp_path / "stick" / "crashlab-kit.tar"
    tar.write_bytes(b"\x89PNG" * 1000)
    assert _refused(tar).startswith(f"{tar} is damaged or incomplete (")


@pytest.mark.parametrize("with_data_filter", [True, False])
@pytest.mark.parametrize(("member", "shown", "why"), [
    (_member("../evil"), "../evil", "a path leaving its folder (`.` or `..`)"),
    (_member("crashlab-kit/../../evil"), "crashlab-kit/../../evil",
     "a path leaving its folder (`.` or `..`)"),
    (_member("/ABSOLUTE/evil"), "/ABSOLUTE/evil", "an absolute path"),
    (_member("crashlab-kit/images/link", tarfile.SYMTYPE, link="../../evil"),
     "crashlab-kit/images/link", "a link"),
    (_member("crashlab-kit/hard", tarfile.LNKTYPE, link="crashlab-kit/README.txt"),
     "crashlab-kit/hard", "a link"),
    (_member("crashlab-kit/null", tarfile.CHRTYPE), "crashlab-kit/null",
     "not a regular file or folder (a device, pipe or the like)"),
    (_member("other/evil"), "other/evil", "outside the kit's one top folder crashlab-kit/"),
])
def test_an_unsafe_member_is_refused_before_anything_is_written(tmp_path, monkeypatch, member,
                                                                 shown, why, with_data_filter):
    if not with_data_filter:  # Python 3.10 before 3.10.12 has no data_filter: our rule alone
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    info, data = copy.copy(member[0]), member[1]
    if info.name.startswith("/ABSOLUTE"):
        info.name = str(tmp_path / "evil")
        shown = info.name
    (tmp_path / "stick").mkdir()
    tar = _tar(tmp_path / "stick" / "crashlab-kit.tar", _folder(tmp_path / "made"),
               extra=[(info, data)])

    assert _refused(tar) == (f"{tar}: member `{shown}` is {why}: this is not a kit from "
                             "`crashlab workshop kit`; copy the kit again from the instructor's "
                             "stick (nothing was unpacked)")
    assert not (tmp_path / "evil").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["made", "stick"]


def test_a_tar_without_a_manifest_is_not_a_kit(tmp_path):
    (tmp_path / "stick").mkdir()
    tar = tmp_path / "stick" / "crashlab-kit.tar"
    with tarfile.open(tar, "w") as out:
        info, data = _member("photos/cat.jpg")
        out.addfile(info, io.BytesIO(data))
    assert _refused(tar) == (f"{tar} holds no photos/manifest.json: it is not a kit from "
                             "`crashlab workshop kit`; copy the kit again from the instructor's "
                             "stick")


def test_a_full_disk_says_to_free_space_and_leaves_nothing(tmp_path, monkeypatch):
    tar = _tar(tmp_path / "stick" / "crashlab-kit.tar", _folder(tmp_path / "made"))
    real_open = open
    written = []

    def full(path, mode="r", *args, **kwargs):
        if "w" in mode and str(path).startswith(str(tmp_path / "stick")):
            written.append(path)
            raise OSError(28, "No space left on device")
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", full)
    message = _refused(tar)
    assert written
    assert message == (f"cannot unpack crashlab-kit.tar into {tmp_path / 'stick'} (No space left "
                       "on device): free some disk space (the kit needs its own size again), "
                       "then retry")
