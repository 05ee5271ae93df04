"""The kit's files on disk: list them with SHA-256, check them against the manifest.

Checking reads every byte once; progress is reported in bytes over all files.
"""

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from runner.kit.manifest import MANIFEST, KitError, KitFile, Manifest, parse_manifest

CHUNK = 1024 * 1024
Progress = Callable[[int, int | None], None]  # (bytes so far, total bytes or None)


def _quiet(done: int, total: int | None) -> None:
    pass


def sha256_of(path: Path, progress: Callable[[int], None] = lambda n: None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            progress(len(chunk))
    return digest.hexdigest()


def describe(folder: Path, paths: Iterable[str]) -> tuple[KitFile, ...]:
    """KitFile (size, SHA-256) of each kit-relative path under `folder`."""
    return tuple(KitFile(path, (folder / path).stat().st_size, sha256_of(folder / path))
                 for path in paths)


def read_manifest(folder: Path) -> Manifest:
    """The manifest of the kit in `folder`; KitError when there is none or it is unreadable."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise KitError(f"--kit {folder}: no such folder: give the folder copied from the "
                       "instructor's stick (it holds manifest.json)")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KitError(f"{path} is missing: --kit must be the kit folder itself (the one "
                       "holding manifest.json)") from None
    except (OSError, UnicodeDecodeError) as failed:
        raise KitError(f"{path} cannot be read ({failed}): copy the kit again") from None
    return parse_manifest(text, str(path))


def verify(folder: Path, manifest: Manifest, progress: Progress = _quiet) -> None:
    """KitError on the first listed file that is missing, of another size or another SHA-256.

    Sizes are checked for every file before any byte is hashed, so a truncated copy is
    reported at once.
    """
    for item in manifest.files:
        path = folder / item.path
        if not path.is_file():
            raise KitError(f"the kit has no {item.path}: copy the whole kit folder again "
                           "from the instructor's stick")
        if path.stat().st_size != item.size:
            raise KitError(f"{item.path} in the kit is {path.stat().st_size} bytes, not "
                           f"{item.size}: the copy is incomplete or damaged; copy the kit again")
    total, done = sum(item.size for item in manifest.files), 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        progress(done, total)

    for item in manifest.files:
        if sha256_of(folder / item.path, advance) != item.sha256:
            raise KitError(f"{item.path} in the kit does not match its SHA-256 in manifest.json: "
                           "the copy is damaged (nothing was loaded); copy the kit again")


def archive_config_digest(archive: Path) -> str:
    """The config digest of the one image in a `docker save` archive ('' when unknown).

    `docker save` writes the legacy `manifest.json` ([{"Config": ..., "RepoTags": ...}]);
    the classic store names the config `<hex>.json` (moby image/tarexport/save.go; checked
    by tests/containers on Docker 20.10). Docker 25 and newer (OCI-compliant `docker save`,
    moby #44598) and the containerd image store name it `blobs/sha256/<hex>`: read the same
    way, checked on a synthetic archive only (no such engine on this machine).
    """
    import json
    import tarfile

    try:
        with tarfile.open(archive) as tar:
            member = tar.extractfile("manifest.json")
            entries = json.load(member) if member else []
    except (OSError, KeyError, ValueError, tarfile.TarError):
        return ""
    if len(entries) != 1 or not isinstance(entries[0].get("Config"), str):
        return ""
    name = entries[0]["Config"].rsplit("/", 1)[-1].removesuffix(".json")
    return f"sha256:{name}" if len(name) == 64 else ""
