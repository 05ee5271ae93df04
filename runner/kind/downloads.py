"""Which kind/kubectl binaries to download, from where, into which folder: pure decisions.

The HTTP part (progress, checksum check, install) is `runner.kind.fetch`.
The tools folder is the project's own: the virtualenv's bin folder when crashlab
runs from one (`make` creates .venv), else ~/.crashlab/bin; never a system path.
"""

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from runner.kind import versions
from runner.kind._marker import state_dir

DOWNLOADABLE = ("kind", "kubectl")
NO_DOWNLOAD_VARIABLE = "CRASHLAB_NO_DOWNLOAD"
BASE_VARIABLE = "CRASHLAB_DOWNLOAD_BASE"  # replaces the download hosts (tests, mirrors)
TOOLS_DIR_VARIABLE = "CRASHLAB_TOOLS_DIR"

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class Download:
    """One binary to fetch: where from, where its published SHA-256 is, what to pin."""

    tool: str
    version: str
    platform: str  # "linux/amd64"
    url: str
    checksum_url: str
    pinned_sha256: str | None


class ChecksumFormatError(ValueError):
    """A published checksum file holds no SHA-256."""


def tools_dir(environ: Mapping[str, str], prefix: str = sys.prefix,
              base_prefix: str = sys.base_prefix) -> Path:
    """$CRASHLAB_TOOLS_DIR, else the running virtualenv's bin, else ~/.crashlab/bin."""
    if environ.get(TOOLS_DIR_VARIABLE):
        return Path(environ[TOOLS_DIR_VARIABLE])
    if prefix != base_prefix:
        return Path(prefix) / "bin"
    return state_dir(environ) / "bin"


def downloads_refused(environ: Mapping[str, str]) -> bool:
    return environ.get(NO_DOWNLOAD_VARIABLE, "") not in ("", "0")


def plan(tools: list[str], system: str, machine: str,
         environ: Mapping[str, str]) -> list[Download]:
    """The pinned downloads of `tools` for this OS/CPU; [] when no binary fits it."""
    found = versions.platform_of(system, machine)
    if found is None:
        return []
    os_name, arch = found
    base = environ.get(BASE_VARIABLE) or None
    planned = []
    for tool in tools:
        url, checksum_url = versions.download_urls(tool, os_name, arch, base)
        planned.append(Download(tool, versions.pinned_version(tool), f"{os_name}/{arch}", url,
                                checksum_url,
                                versions.PINNED_SHA256.get(f"{tool}/{os_name}/{arch}")))
    return planned


def parse_published_checksum(text: str) -> str:
    """The hex digest of a published checksum file, lower-case.

    kubectl's `kubectl.sha256` holds the bare digest; kind's `<file>.sha256sum` holds
    `shasum -a 256` output, `<digest>  <file name>`.
    """
    words = text.split()
    if not words or not _HEX64.match(words[0]):
        raise ChecksumFormatError("no SHA-256 digest in the published checksum file")
    return words[0].lower()


def manual_steps(planned: list[Download], folder: Path) -> list[str]:
    """Shell lines that do by hand what the download does: fetch, check, install."""
    lines = []
    for item in planned:
        lines += [f"curl -fLo {item.tool} {item.url}",
                  f"curl -fLo {item.tool}.sha256 {item.checksum_url}",
                  f'echo "$(cut -d" " -f1 {item.tool}.sha256)  {item.tool}" | sha256sum --check'
                  if item.platform.startswith("linux") else
                  f'echo "$(cut -d" " -f1 {item.tool}.sha256)  {item.tool}" | shasum -a 256 --check',
                  f"chmod +x {item.tool} && mkdir -p {folder} && mv {item.tool} {folder}/"]
    return lines
