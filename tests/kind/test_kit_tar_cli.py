"""The kit as one .tar: `workshop kit --out X.tar`, `cluster up --kit X.tar` and
`make lab-3 KIT=X.tar` against the stub tools (tests/kind/test_kit_cli.py has the folder)."""

import json
import shutil
import subprocess
import tarfile

import pytest

from runner.kind.images import LAB_IMAGE
from runner.kit import files
from runner.kit.manifest import current_pins
from tests.kind.test_kit_cli import (
    HERE_PYTHON,
    LAB_ID,
    NODE_ID,
    NODE_TAG,
    ROOT,
    instructor,
    make_kit,
    participant_up,
)


def pack_kit(folder, tar, top=None, extra=()):
    """`folder` as a kit tar: manifest.json first, every listed file under `top/`."""
    top = top or tar.name.removesuffix(".tar")
    names = ["manifest.json", *(item.path for item in files.read_manifest(folder).files)]
    with tarfile.open(tar, "w") as out:
        for name in names:
            out.add(folder / name, arcname=f"{top}/{name}")
        for info in extra:
            out.addfile(info)
    shutil.rmtree(folder)
    return tar


def listing(folder):
    return sorted(path.name for path in folder.iterdir())


def test_workshop_kit_out_tar_writes_one_file_that_brings_up_another_machine(
        tools, tmp_path, kubeconfig):
    instructor(tools, tmp_path)
    out = tmp_path / "stick" / "crashlab-kit.tar"
    made = tools.cli("workshop", "kit", "--out", str(out), *HERE_PYTHON)

    assert made.code == 0, made.err
    assert listing(out.parent) == ["crashlab-kit.tar"]  # no temporary folder, no .partial
    with tarfile.open(out) as tar:
        members = tar.getmembers()
        manifest = files.parse_manifest(tar.extractfile(members[0]).read().decode())
    assert members[0].name == "crashlab-kit/manifest.json"
    assert [m.name for m in members[1:]] == [f"crashlab-kit/{f.path}" for f in manifest.files]
    assert all(m.isreg() and m.uid == 0 and m.uname == "" for m in members)
    tarfile.open(out, "r:").close()  # "r:" reads only an uncompressed tar
    assert f"Kit written to {out}: {len(members) - 1} files, " in made.out
    assert made.out.rstrip().endswith(f"participants run `make lab-3 KIT={out}`")
    assert "  Writing crashlab-kit.tar" in made.out and "100% of" in made.out

    participant, result = participant_up(tmp_path, kubeconfig, out)

    assert result.code == 0, result.err
    folder = tmp_path / "stick" / "crashlab-kit"
    assert f"Kit {out}: unpacked in {folder}" in result.out
    assert f"{len(members) - 1} files match manifest.json" in result.out
    assert participant.load()["docker"]["images"] == {NODE_TAG: NODE_ID, LAB_IMAGE: LAB_ID}
    assert "Ready: context kind-crashlab" in result.out
    assert listing(out.parent) == ["crashlab-kit", "crashlab-kit.tar"]


def test_workshop_kit_refuses_an_existing_tar(tools, tmp_path):
    instructor(tools, tmp_path)
    out = tmp_path / "crashlab-kit.tar"
    out.write_text("last year's kit")
    result = tools.cli("workshop", "kit", "--out", str(out))

    assert result.code == 2
    assert result.err == (f"crashlab: error: --out {out}: exists: give the name of a new .tar "
                          "file\n")
    assert out.read_text() == "last year's kit"
    assert listing(tmp_path) == ["bin", "calls.jsonl", "crashlab-kit.tar", "home", "mirror",
                                 "world.json"]


def test_a_failed_tar_kit_leaves_nothing(tools, tmp_path):
    instructor(tools, tmp_path)
    (tmp_path / "mirror" / "kubectl").rename(tmp_path / "mirror" / "gone")
    (tmp_path / "stick").mkdir()
    result = tools.cli("workshop", "kit", "--out", str(tmp_path / "stick" / "crashlab-kit.tar"),
                       *HERE_PYTHON)

    assert result.code == 3
    assert result.err.startswith("crashlab: error: could not download file://")
    assert listing(tmp_path / "stick") == []


def test_ctrl_c_while_the_tar_is_written_leaves_nothing(tools, tmp_path, monkeypatch):
    from runner.kit import pack

    instructor(tools, tmp_path)
    reads = []

    def interrupted(self, size=-1):
        reads.append(size)
        if len(reads) == 3:  # the manifest and part of the first image are in the .partial
            assert (tmp_path / "stick" / "crashlab-kit.tar.partial").stat().st_size > 0
            raise KeyboardInterrupt
        return self.file.read(size)

    monkeypatch.setattr(pack._Counting, "read", interrupted)
    # pip's download of the wheels is covered by the test above; skip it here (~15 s)
    monkeypatch.setattr("runner.kit.write._write_wheels", lambda *args, **kwargs: [])
    (tmp_path / "stick").mkdir()
    result = tools.cli("workshop", "kit", "--out", str(tmp_path / "stick" / "crashlab-kit.tar"),
                       *HERE_PYTHON)

    assert result.code == 130
    assert len(reads) == 3
    assert listing(tmp_path / "stick") == []


def test_up_from_a_kit_tar(tools, tmp_path):
    tar = pack_kit(make_kit(tmp_path / "made"), tmp_path / "stick-copy.tar", top="crashlab-kit")
    tools.remove("kind")
    tools.remove("kubectl")
    result = tools.cli("cluster", "up", "--kit", str(tar))

    assert result.code == 0, result.err
    assert f"Kit {tar}: unpacked in {tmp_path / 'stick-copy'}" in result.out
    assert tools.load()["docker"]["images"] == {NODE_TAG: NODE_ID, LAB_IMAGE: LAB_ID}
    assert "Ready: context kind-crashlab" in result.out


def test_a_kit_tar_unpacked_before_is_reused_and_checked_again(tools, tmp_path):
    tar = pack_kit(make_kit(tmp_path / "made"), tmp_path / "crashlab-kit.tar")
    assert tools.cli("cluster", "up", "--kit", str(tar)).code == 0
    tools.world["docker"]["images"] = {}
    tools.save()
    (tmp_path / "crashlab-kit" / "images/lab-app.tar").write_text(
        json.dumps({LAB_IMAGE: "sha256:" + "3" * 64}))
    result = tools.cli("cluster", "up", "--kit", str(tar))

    assert result.code == 2
    assert result.err == ("crashlab: error: images/lab-app.tar in the kit does not match its "
                          "SHA-256 in manifest.json: the copy is damaged (nothing was loaded); "
                          "copy the kit again\n")
    assert tools.load()["docker"]["images"] == {}


def test_a_truncated_kit_tar_is_one_line_and_nothing_is_loaded(tools, tmp_path):
    (tmp_path / "stick").mkdir()
    tar = pack_kit(make_kit(tmp_path / "made"), tmp_path / "stick" / "crashlab-kit.tar")
    with tarfile.open(tar) as read:
        image = read.getmember("crashlab-kit/images/lab-app.tar")
    tar.write_bytes(tar.read_bytes()[:image.offset_data + 10])
    result = tools.cli("cluster", "up", "--kit", str(tar))

    assert result.code == 2
    assert result.err == (f"crashlab: error: {tar} is damaged or incomplete (unexpected end of "
                          "data): copy the kit again from the instructor's stick (nothing was "
                          "loaded)\n")
    assert tools.load()["docker"]["images"] == {}
    assert listing(tmp_path / "stick") == ["crashlab-kit.tar"]


def _symlink(name, target):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info


def _file(name):
    info = tarfile.TarInfo(name)
    info.size = 0
    return info


@pytest.mark.parametrize(("member", "why"), [
    (_file("../evil"), "a path leaving its folder (`.` or `..`)"),
    (_file("ABSOLUTE"), "an absolute path"),
    (_symlink("crashlab-kit/bin", "../../evil"), "a link"),
])
def test_a_kit_tar_with_an_unsafe_member_is_refused(tools, tmp_path, member, why):
    if member.name == "ABSOLUTE":
        member.name = str(tmp_path / "evil")
    (tmp_path / "stick").mkdir()
    tar = pack_kit(make_kit(tmp_path / "made"), tmp_path / "stick" / "crashlab-kit.tar",
                   extra=[member])
    result = tools.cli("cluster", "up", "--kit", str(tar))

    assert result.code == 2
    assert result.err == (f"crashlab: error: {tar}: member `{member.name}` is {why}: this is "
                          "not a kit from `crashlab workshop kit`; copy the kit again from the "
                          "instructor's stick (nothing was unpacked)\n")
    assert tools.load()["docker"]["images"] == {}
    assert not (tmp_path / "evil").exists()
    assert listing(tmp_path / "stick") == ["crashlab-kit.tar"]


def _make(tools, tmp_path, *args):
    return subprocess.run(["make", "-s", "-C", str(ROOT), "lab-3", *args],
                          env={**tools.environ, "PATH": f"{tools.bin}:/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=180)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab3_kit_tar_checks_the_unpacked_folder_first(tools, tmp_path):
    """The system Python's kit check unpacks the tar, then checks that folder (here it is
    for other versions), before pip or Docker are touched."""
    pins = current_pins(LAB_IMAGE)
    kit = make_kit(tmp_path / "made", pins=type(pins)("v0.31.0", pins.kubectl, pins.node_image,
                                                      pins.lab_image))
    tar = pack_kit(kit, tmp_path / "crashlab-kit.tar")
    done = _make(tools, tmp_path, f"KIT={tar}")

    assert done.returncode != 0
    assert f"Kit {tar}: unpacked in {tmp_path / 'crashlab-kit'}" in done.stdout
    assert ("crashlab: error: this kit is for other versions: kind v0.31.0 (this crashlab pins "
            "v0.33.0)") in done.stderr
    assert (tmp_path / "crashlab-kit" / "manifest.json").is_file()
    assert tools.load()["docker"]["images"] == {}


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab3_kit_tar_brings_the_cluster_up_from_the_unpacked_folder(tools, tmp_path):
    """After the check, `cluster up --kit` is given the unpacked folder; `--help` stops
    `run lab-3` before it needs a cluster."""
    tar = pack_kit(make_kit(tmp_path / "made"), tmp_path / "crashlab-kit.tar")
    # -o: the running virtualenv is used as it is; the tests' own imports write __pycache__
    # into runner/, which would make it look stale, and a stub kit has no wheels to reinstall.
    done = _make(tools, tmp_path, "-o", ".venv/.installed", f"KIT={tar}", "ARGS=--help")

    assert done.returncode == 0, done.stderr
    folder = tmp_path / "crashlab-kit"
    assert done.stdout.startswith("  Unpacking crashlab-kit.tar (")
    assert "    100% of " in done.stdout
    checked = done.stdout.split(f"Kit {tar}: unpacked in {folder}\n", 1)[1]
    assert checked.startswith(f"Kit {folder}: 18 files match manifest.json\n")  # the check's
    assert checked.count(f"Kit {folder}: 18 files match manifest.json\n") == 2  # + cluster up's
    assert "unpacked" not in checked  # cluster up was given the folder, not the tar
    assert tools.load()["docker"]["images"] == {NODE_TAG: NODE_ID, LAB_IMAGE: LAB_ID}
    assert "Ready: context kind-crashlab" in done.stdout
    assert "usage: crashlab run" in done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(("kit", "folder"), [("/media/crashlab-kit.tar", "/media/crashlab-kit"),
                                             ("/media/crashlab-kit", "/media/crashlab-kit")])
def test_make_installs_from_the_wheels_of_the_unpacked_folder(kit, folder):
    """What make would run to install crashlab with KIT= (-n: print, run nothing)."""
    done = subprocess.run(["make", "-s", "-n", "-W", "pyproject.toml", "-C", str(ROOT),
                           ".venv/.installed", f"KIT={kit}"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f'--no-index --find-links "{folder}/wheels" -e .' in done.stdout
