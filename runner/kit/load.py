"""`crashlab cluster up --kit DIR`: check a kit, load its images, install its tools.

Order matters: the manifest, the versions, the platform and every file's SHA-256 are
checked before Docker or the tools folder are touched. Each image must arrive with
the image ID recorded where the kit was made.
"""

import os
import platform
from collections.abc import Callable, Mapping
from pathlib import Path

from runner.errors import EnvironmentProblem
from runner.kind import downloads, versions
from runner.kind.fetch import fetch_tool
from runner.kit import docker, files
from runner.kit.manifest import (
    TOOLS_DIR,
    KitError,
    Manifest,
    Pins,
    check_listed,
    check_pins,
    check_platform,
)

Progress = Callable[[str, int, int | None], None]


def host_platform(system: str | None = None, machine: str | None = None) -> str | None:
    found = versions.platform_of(system or platform.system(), machine or platform.machine())
    return "/".join(found) if found else None


def check_kit(folder: Path, pins: Pins, *, environ: Mapping[str, str] | None = None,
              progress: Progress = lambda label, done, total: None,
              host: str | None = None) -> Manifest:
    """Everything that can be checked before loading; KitError (exit 2) on the first problem."""
    manifest = files.read_manifest(folder)
    check_pins(manifest, pins)
    check_listed(manifest)
    check_platform(manifest, docker.server_platform(environ), host or host_platform())
    files.verify(folder, manifest, lambda done, total: progress("Checking the kit", done, total))
    return manifest


def load_images(folder: Path, manifest: Manifest, *, environ: Mapping[str, str] | None = None,
                progress: Progress = lambda label, done, total: None) -> list[str]:
    """`docker load` each image that Docker does not already have with the kit's ID."""
    loaded = []
    for image in manifest.images:
        facts = docker.image_facts(image.ref, environ)
        if facts and facts.image_id in image.accepted_ids:
            continue
        docker.load(folder / image.file,
                    lambda done, total, ref=image.ref: progress(f"Loading {ref}", done, total),
                    environ)
        facts = docker.image_facts(image.ref, environ)
        if facts is None or facts.image_id not in image.accepted_ids:
            got = facts.image_id if facts else "nothing"
            raise EnvironmentProblem(f"after `docker load`, {image.ref} is {got}, not the kit's "
                                     f"{image.image_id}: remove it (`docker rmi {image.ref}`) "
                                     "and retry")
        loaded.append(image.ref)
    return loaded


def install_tools(folder: Path, environ: Mapping[str, str] | None = None, *,
                  host: str | None = None,
                  progress: Progress = lambda label, done, total: None) -> list[Path]:
    """Install kind and kubectl for this machine from the kit's tools mirror into the
    tools folder, through runner.kind.fetch: the kit's published checksum file and the
    repo's pins are checked again as the file is copied."""
    environ = dict(os.environ if environ is None else environ)
    os_name, arch = (host or host_platform() or "/").split("/")
    mirror = {**environ, downloads.BASE_VARIABLE: (folder.resolve() / TOOLS_DIR).as_uri()}
    planned = downloads.plan(list(downloads.DOWNLOADABLE), os_name, arch, mirror)
    if not planned:
        raise KitError(f"kind and kubectl publish no binary for {os_name}/{arch}: install "
                       "them yourself")
    target = downloads.tools_dir(environ)
    return [fetch_tool(item, target, lambda done, total, item=item: progress(
        f"Installing {item.tool} {item.version}", done, total)) for item in planned]
