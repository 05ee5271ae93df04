"""A kit given as one `.tar` (`workshop kit --out X.tar`): unpack it safely beside itself.

Standard library only: `python -m runner.kit.check` unpacks before the virtualenv exists.
The one rule for what a kit tar may hold is `check_member`: regular files and folders
under one top folder, no absolute path, no `..`, no links, no devices. Every member is
checked (and passed through tarfile's `data_filter` where this Python has it) before
any byte is written; the bytes of regular files are then copied by this module itself,
so no mode, owner or link from the archive is ever applied. The kit is unpacked into a
hidden temporary folder beside the tar and renamed to its final name only when every
file matches the manifest, so a folder under that name is always a whole kit.
"""

import errno
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from runner.kit import files
from runner.kit.manifest import MANIFEST, KitError

SUFFIX = ".tar"
CHUNK = 1024 * 1024
Progress = Callable[[int, int | None], None]  # (bytes so far, total bytes or None)


def _quiet(done: int, total: int | None) -> None:
    pass


def is_tar(path: Path) -> bool:
    return str(path).endswith(SUFFIX)


def unpacked_folder(tar: Path) -> Path:
    """Where the kit in `tar` is unpacked: beside it, named after its stem."""
    return tar.with_name(tar.name[:-len(SUFFIX)])


def kit_folder(path: Path, progress: Progress = _quiet) -> Path:
    """The kit folder for `--kit PATH`: PATH itself, or the folder a PATH.tar unpacks into
    (reused when it already holds a manifest; the caller checks it like any kit folder)."""
    if not is_tar(path):
        return path
    folder = unpacked_folder(path)
    if (folder / MANIFEST).is_file():
        return folder
    if not path.is_file():
        raise KitError(f"--kit {path}: no such file: give the .tar copied from the instructor's "
                       "stick (or the folder it unpacks into)")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise KitError(f"{folder} exists and holds no {MANIFEST}: move it away, then unpack "
                       f"{path.name} again")
    unpack(path, folder, progress)
    return folder


def check_member(member: tarfile.TarInfo) -> str | None:
    """Why `member` may not be unpacked (None when it may): the one rule for kit tars."""
    name = member.name
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    parts = PurePosixPath(name).parts
    if not parts or any(part in ("", ".", "..") for part in name.rstrip("/").split("/")):
        return "a path leaving its folder (`.` or `..`)"
    if member.issym() or member.islnk():
        return "a link"
    if not (member.isreg() or member.isdir()):
        return "not a regular file or folder (a device, pipe or the like)"
    if member.isreg() and len(parts) < 2:
        return "a file outside the kit's one top folder"
    return None


def _checked_members(tar: tarfile.TarFile, path: Path, into: Path) -> list[tarfile.TarInfo]:
    members = tar.getmembers()
    if not members:
        raise KitError(f"{path} is an empty tar: copy the kit again from the instructor's stick")
    top = PurePosixPath(members[0].name).parts[0]
    for member in members:
        why = check_member(member)
        if why is None and PurePosixPath(member.name).parts[0] != top:
            why = f"outside the kit's one top folder {top}/"
        if why is None and hasattr(tarfile, "data_filter"):  # Python 3.12, 3.11.4, 3.10.12
            try:
                tarfile.data_filter(member, str(into))
            except tarfile.FilterError as refused:
                why = str(refused)
        if why is not None:
            raise KitError(f"{path}: member `{member.name}` is {why}: this is not a kit from "
                           "`crashlab workshop kit`; copy the kit again from the instructor's "
                           "stick (nothing was unpacked)")
    return members


def unpack(path: Path, folder: Path, progress: Progress = _quiet) -> None:
    """Unpack the kit tar `path` into `folder` (which must not exist yet, or be empty).

    KitError, with nothing left behind, when the tar is damaged, truncated, holds a member
    `check_member` refuses, or its files do not match the manifest it carries.
    """
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.unpacking-", dir=folder.parent))
    except OSError as failed:
        raise KitError(f"cannot unpack {path.name} beside it ({failed.strerror}): copy the .tar "
                       "to a folder of your disk first") from None
    try:
        top = _extract(path, work, progress)
        _check_whole(path, top)
        if folder.exists():
            folder.rmdir()  # empty: kit_folder checked it
        top.rename(folder)
    except tarfile.TarError as damaged:
        raise KitError(f"{path} is damaged or incomplete ({damaged}): copy the kit again from "
                       "the instructor's stick (nothing was loaded)") from None
    except OSError as failed:
        then = ("free some disk space (the kit needs its own size again)"
                if failed.errno in (errno.ENOSPC, errno.EDQUOT) else
                "copy the .tar to a folder of your disk that you can write to")
        raise KitError(f"cannot unpack {path.name} into {folder.parent} ({failed.strerror}): "
                       f"{then}, then retry") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _extract(path: Path, work: Path, progress: Progress) -> Path:
    with tarfile.open(path, "r:") as tar:
        members = _checked_members(tar, path, work)
        total, done = sum(m.size for m in members if m.isreg()), 0
        free = shutil.disk_usage(work).free
        if free < total:
            raise KitError(f"{path.name} unpacks to {total / 1e6:.0f} MB but {work.parent} has "
                           f"{free / 1e6:.0f} MB free: free some space, then retry")
        for member in members:
            target = work.joinpath(*PurePosixPath(member.name).parts)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            with open(target, "wb") as out:
                while chunk := source.read(CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    progress(done, total)
            if target.stat().st_size != member.size:
                raise tarfile.ReadError(f"{member.name} is cut short")
        return work / PurePosixPath(members[0].name).parts[0]


def _check_whole(path: Path, top: Path) -> None:
    """Every file of the unpacked manifest is there and intact (a tar cut at a member
    boundary reads as a shorter but valid tar; a flipped byte is only seen by SHA-256)."""
    if not (top / MANIFEST).is_file():
        raise KitError(f"{path} holds no {top.name}/{MANIFEST}: it is not a kit from `crashlab "
                       "workshop kit`; copy the kit again from the instructor's stick")
    manifest = files.read_manifest(top)
    try:
        files.verify(top, manifest)
    except KitError as problem:
        raise KitError(f"{path} is damaged or incomplete ({problem.args[0].split(':')[0]}): "
                       "copy the kit again from the instructor's stick (nothing was loaded)"
                       ) from None
