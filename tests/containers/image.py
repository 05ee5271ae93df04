"""Build the lab image with its real Dockerfile, on a base that needs no registry.

The Dockerfile's default base (python:3.12-slim) cannot be pulled offline, so the base
is a Debian bookworm rootfs with python3 made by debootstrap and `docker import`ed.
The rootfs tarball is kept in the cache dir; debootstrap runs only when it is missing.
CRASHLAB_APP_BASE=<image> uses that base instead (e.g. python:3.12-slim with a registry).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.containers.engine import Engine, EngineUnavailable, cache_dir, file_lock

BASE_IMAGE = "crashlab/base:bookworm-python3"
# Not the product tag: the image built here has a different base than the release one.
APP_IMAGE = "crashlab/lab-app:containers-test"
IMAGE_LABEL = "org.opencontainers.image.vendor=crashlab"


def _debootstrap(tarball: Path) -> None:
    debootstrap = shutil.which("debootstrap")
    if debootstrap is None or os.geteuid() != 0:
        raise EngineUnavailable(
            f"no base image {BASE_IMAGE}: building it needs root and debootstrap "
            "(apt-get install debootstrap), or set CRASHLAB_APP_BASE to a base image"
        )
    tarball.parent.mkdir(parents=True, exist_ok=True)
    mirror = os.environ.get("CRASHLAB_DEBIAN_MIRROR", "http://deb.debian.org/debian")
    with tempfile.TemporaryDirectory(dir=tarball.parent, prefix="rootfs-") as work:
        rootfs = Path(work) / "rootfs"
        proc = subprocess.run(
            [debootstrap, "--variant=minbase", "--include=python3", "bookworm", str(rootfs),
             mirror],
            capture_output=True, text=True, timeout=900,
        )
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise RuntimeError(f"debootstrap failed ({proc.returncode}): {' | '.join(tail)}")
        # Downloaded packages and index files: ~100 MB the image does not need.
        for leftover in [*rootfs.glob("var/cache/apt/archives/*.deb"),
                         *rootfs.glob("var/lib/apt/lists/*_*")]:
            leftover.unlink()
        partial = Path(work) / "rootfs.tar"
        subprocess.run(["tar", "-C", str(rootfs), "-cf", str(partial), "."],
                       check=True, timeout=300)
        partial.replace(tarball)  # atomic: a half-written tarball is never picked up


def ensure_base(engine: Engine) -> str:
    """The base image reference to build on, creating the offline base when needed."""
    override = os.environ.get("CRASHLAB_APP_BASE")
    if override:
        return override
    cache = cache_dir()
    with file_lock(cache / "base.lock"):
        if engine.has_image(BASE_IMAGE):
            return BASE_IMAGE
        tarball = cache / "base" / "bookworm-python3.tar"
        if not tarball.exists():
            _debootstrap(tarball)
        engine.run("import", "--message", "crashlab test base (debootstrap bookworm + python3)",
                   str(tarball), BASE_IMAGE, timeout=600)
    return BASE_IMAGE


def build_app_image(engine: Engine, context: Path, base: str) -> str:
    """`docker build` the lab image from `context` (images/app) on `base`; returns its tag."""
    with file_lock(cache_dir() / "build.lock"):
        proc = engine.run("build", "--build-arg", f"BASE={base}", "-t", APP_IMAGE, str(context),
                          check=False, timeout=900)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"docker build of {context} failed ({proc.returncode}):\n{tail}")
    # Earlier builds of the lab image, now untagged (the Dockerfile labels them), and nothing else.
    engine.run("image", "prune", "--force", "--filter", f"label={IMAGE_LABEL}", check=False)
    return APP_IMAGE
