"""`crashlab workshop kit --out X.tar`: the same kit as one uncompressed tar file.

One file copies off a FAT32 stick much faster than thousands of small ones. The kit is
written as a folder in a temporary folder beside the target (same file system), then
packed into `X.tar.partial`, renamed to `X.tar` when complete; the temporary folder is
removed whatever happens, so a failure or Ctrl-C leaves nothing half-written. Members
sit under one top folder named after the file's stem, `manifest.json` first, and only
the files the manifest lists are packed. Uncompressed: the image archives are layers
that barely compress, and a plain tar is checked and unpacked at disk speed.
"""

import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

from runner.errors import UsageError
from runner.kit.manifest import MANIFEST, Manifest
from runner.kit.unpack import unpacked_folder

CHUNK = 1024 * 1024
Progress = Callable[[str, int, int | None], None]


def _check_out(out: Path) -> None:
    if out.exists() or out.is_symlink():
        raise UsageError(f"--out {out}: exists: give the name of a new .tar file")


def make_kit_tar(out: Path, write_folder: Callable[[Path], Manifest],
                 progress: Progress = lambda label, done, total: None) -> Manifest:
    """Write the kit with `write_folder(folder)` (runner.kit.write.make_kit), then pack it
    into the tar `out`; return its manifest."""
    _check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    top = unpacked_folder(out).name
    work = Path(tempfile.mkdtemp(prefix=f".{top}.writing-", dir=out.parent))
    partial = out.with_name(out.name + ".partial")
    try:
        manifest = write_folder(work / top)
        _pack(work / top, manifest, partial, top, progress)
        os.replace(partial, out)
        return manifest
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def _pack(folder: Path, manifest: Manifest, target: Path, top: str, progress: Progress) -> None:
    names = [MANIFEST, *(item.path for item in manifest.files)]
    total = sum((folder / name).stat().st_size for name in names)
    label, done = f"Writing {target.name.removesuffix('.partial')}", 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        progress(label, done, total)

    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT, copybufsize=CHUNK) as tar:
        for name in names:
            info = tar.gettarinfo(str(folder / name), arcname=f"{top}/{name}")
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o755 if info.mode & 0o111 else 0o644
            with open(folder / name, "rb") as file:
                tar.addfile(info, _Counting(file, advance))


class _Counting:
    """A file object that reports how many bytes were read from it."""

    def __init__(self, file, advance: Callable[[int], None]):
        self.file, self.advance = file, advance

    def read(self, size: int = -1) -> bytes:
        chunk = self.file.read(size)
        self.advance(len(chunk))
        return chunk
