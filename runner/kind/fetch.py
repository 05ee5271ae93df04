"""Download a pinned tool over HTTPS, check its SHA-256, install it into the tools folder.

The file is written next to its destination as `.<tool>.part` and renamed only
after every checksum matched; on any failure the partial file is deleted.
"""

import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from runner.errors import EnvironmentProblem
from runner.kind.downloads import ChecksumFormatError, Download, parse_published_checksum

CHUNK = 256 * 1024
TIMEOUT = 60.0  # per network read, not for the whole download

Progress = Callable[[int, int | None], None]  # (bytes so far, total bytes or None)


class DownloadFailed(EnvironmentProblem):
    """A tool could not be downloaded, or its checksum did not match (exit 3)."""


def _open(url: str):
    try:
        return urllib.request.urlopen(url, timeout=TIMEOUT)  # noqa: S310 (https / test http)
    except urllib.error.HTTPError as answer:
        raise DownloadFailed(f"could not download {url}: the server answered {answer.code} "
                             f"{answer.reason}; check your network, or install it yourself "
                             "(`crashlab cluster up` prints the steps with CRASHLAB_NO_DOWNLOAD=1)"
                             ) from None
    except (urllib.error.URLError, OSError) as failed:
        reason = getattr(failed, "reason", failed)
        raise DownloadFailed(f"could not download {url} ({reason}): check your network and "
                             "retry, or install it yourself") from None


def published_checksum(item: Download) -> str:
    with _open(item.checksum_url) as answer:
        text = answer.read(4096).decode("utf-8", errors="replace")
    try:
        return parse_published_checksum(text)
    except ChecksumFormatError:
        raise DownloadFailed(f"{item.checksum_url} holds no SHA-256 digest: retry later, or "
                             "install it yourself") from None


def fetch_tool(item: Download, folder: Path, progress: Progress = lambda done, total: None
               ) -> Path:
    """Download `item` into `folder`, verify it, make it executable; return its path."""
    expected = published_checksum(item)
    if item.pinned_sha256 and item.pinned_sha256.lower() != expected:
        raise DownloadFailed(f"the published SHA-256 of {item.tool} {item.version} "
                             f"({expected}) differs from the one pinned in crashlab: nothing "
                             "was installed; report it")
    folder.mkdir(parents=True, exist_ok=True)
    target, part = folder / item.tool, folder / f".{item.tool}.part"
    digest = hashlib.sha256()
    try:
        with _open(item.url) as answer, open(part, "wb") as file:
            total = answer.headers.get("Content-Length")
            total = int(total) if total and total.isdecimal() else None
            done = 0
            while chunk := answer.read(CHUNK):
                file.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                progress(done, total)
        got = digest.hexdigest()
        if got != expected:
            raise DownloadFailed(f"{item.tool} {item.version} from {item.url} has SHA-256 {got}, "
                                 f"not the published {expected}: the file was deleted; retry, "
                                 "or install it yourself")
        part.chmod(0o755)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return target
