"""`crashlab workshop kit --out DIR`: write a classroom kit on the instructor's machine.

Refuses before writing anything when the node or lab image is absent or not the
pinned one; the tools are fetched with runner.kind.fetch (published SHA-256 and the
repo's pins checked) for every OS/CPU the lab supports.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from runner import __version__, paths
from runner.errors import EnvironmentProblem, UsageError
from runner.kind import downloads, versions
from runner.kind.fetch import fetch_tool
from runner.kit import docker, files, wheels
from runner.kit.manifest import (
    MANIFEST,
    TOOLS_DIR,
    WHEELS_DIR,
    KitImage,
    Manifest,
    Pins,
    published_checksum_text,
    tool_paths,
)

SOURCE_FILE = "source/crashlab.bundle"
README_FILE = "README.txt"
IMAGE_FILES = {"node": "images/kind-node.tar", "lab": "images/lab-app.tar"}
# (label, bytes so far, total or None), called for every chunk of every file written.
Progress = Callable[[str, int, int | None], None]


def check_images(pins: Pins, environ: Mapping[str, str] | None) -> dict[str, docker.ImageFacts]:
    """The node and lab images Docker has, checked against the pins; refuse otherwise."""
    node = docker.image_facts(pins.node_tag, environ)
    if node is None:
        raise EnvironmentProblem(f"Docker has no {pins.node_tag}: run `docker pull "
                                 f"{pins.node_image}` (about 1 GB), then make the kit again")
    if pins.node_digest and not any(d.endswith("@" + pins.node_digest) for d in node.repo_digests):
        raise EnvironmentProblem(f"Docker's {pins.node_tag} is not the pinned build "
                                 f"({pins.node_digest[:19]}...): run `docker pull "
                                 f"{pins.node_image}`, then make the kit again")
    lab = docker.image_facts(pins.lab_image, environ)
    if lab is None:
        raise EnvironmentProblem(f"Docker has no {pins.lab_image}: run `crashlab cluster up` "
                                 "(it builds it) or `docker build -t "
                                 f"{pins.lab_image} images/app`, then make the kit again")
    if lab.platform != node.platform:
        raise EnvironmentProblem(f"{pins.lab_image} is for {lab.platform} but {pins.node_tag} for "
                                 f"{node.platform}: build both for one platform")
    return {"node": node, "lab": lab}


def _check_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"--out {out}: exists and is not an empty folder: give a new folder")


def make_kit(out: Path, pins: Pins, *, environ: Mapping[str, str] | None = None,
             progress: Progress = lambda label, done, total: None,
             platforms: tuple[tuple[str, str], ...] | None = None,
             pythons: tuple[str, ...] = wheels.PYTHONS) -> Manifest:
    """Write the kit into `out` (a new or empty folder) and return its manifest: tools for
    `platforms` (default all), wheels for `pythons` on every platform (default all)."""
    environ = dict(os.environ if environ is None else environ)
    _check_out(out)
    images = check_images(pins, environ)
    platforms = platforms or tuple((o, a) for o in versions.OPERATING_SYSTEMS
                                   for a in versions.ARCHITECTURES)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        return _write(out, pins, images, platforms, wheels.targets(pythons), environ, progress)
    except BaseException:
        # A half-written kit has no manifest and must not be handed out: remove what we wrote.
        if created:
            shutil.rmtree(out, ignore_errors=True)
        else:
            for entry in out.iterdir():
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        raise


def _write(out: Path, pins: Pins, images, platforms, wheel_targets, environ,
           progress) -> Manifest:
    (out / "images").mkdir()
    listed, kit_images = [], []
    for role, ref in (("node", pins.node_tag), ("lab", pins.lab_image)):
        facts, file = images[role], IMAGE_FILES[role]
        docker.save(ref, out / file, facts.size or None,
                    lambda done, total, ref=ref: progress(f"Saving {ref}", done, total), environ)
        kit_images.append(KitImage(role, ref, facts.image_id, file,
                                   files.archive_config_digest(out / file)))
        listed.append(file)
    for os_name, arch in platforms:
        listed += _write_tools(out, os_name, arch, environ, progress)
    listed.append(_write_source(out))
    listed += _write_wheels(out, wheel_targets, environ, progress)
    (out / README_FILE).write_text(participant_readme(pins, images["node"].platform,
                                                      wheel_targets))
    listed.append(README_FILE)
    manifest = Manifest(pins, images["node"].platform,
                        tuple(f"{o}/{a}" for o, a in platforms), tuple(kit_images),
                        files.describe(out, listed), crashlab=__version__, source=SOURCE_FILE,
                        wheels_for=tuple(target.key for target in wheel_targets))
    (out / MANIFEST).write_text(manifest.to_json())
    return manifest


def _write_tools(out: Path, os_name: str, arch: str, environ, progress) -> list[str]:
    """kind and kubectl for os/arch, laid out like their download hosts, checksums beside."""
    planned = downloads.plan(list(downloads.DOWNLOADABLE), os_name, arch, environ)
    layout = tool_paths(os_name, arch)
    with tempfile.TemporaryDirectory(dir=out, prefix=".tools-") as work:
        for item, binary, checksum in zip(planned, layout[0::2], layout[1::2]):
            label = f"Downloading {item.tool} {item.version} ({item.platform})"
            fetched = fetch_tool(item, Path(work),
                                 lambda done, total, label=label: progress(label, done, total))
            (out / binary).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(fetched), out / binary)
            (out / checksum).write_text(published_checksum_text(
                item.tool, os_name, arch, files.sha256_of(out / binary)))
    return layout


def requirements() -> list[str]:
    """What `make lab-3` installs: crashlab's own requirements (not its extras) and its build
    backend, as the installed crashlab's metadata lists them (pyproject.toml's)."""
    from importlib import metadata

    try:
        listed = metadata.requires("crashlab") or []
    except metadata.PackageNotFoundError:
        raise EnvironmentProblem("crashlab is not installed in this Python: run `make setup`, "
                                 "then `.venv/bin/crashlab workshop kit ...`") from None
    return [item for item in listed if "extra ==" not in item] + list(wheels.BUILD_REQUIRES)


def _write_wheels(out: Path, chosen: tuple[wheels.Target, ...], environ, progress) -> list[str]:
    """Every target's wheels with pip (its own index settings apply), a few targets at a time,
    each into its own folder (pip must not write one file twice at once), then merged:
    `pip install --no-index --find-links KIT/wheels` picks what fits the participant."""
    target_dir = out / WHEELS_DIR
    target_dir.mkdir()
    wanted = requirements()
    pythons = list(dict.fromkeys(target.python for target in chosen))
    label = (f"Downloading the Python packages for CPython {', '.join(pythons)} on "
             f"{len({target.platform for target in chosen})} platforms")
    progress(label, 0, None)
    with tempfile.TemporaryDirectory(dir=out, prefix=".wheels-") as work, \
            ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        running = {pool.submit(_download, target, Path(work) / str(index), wanted, environ):
                   target for index, target in enumerate(chosen)}
        for finished in as_completed(running):
            folder = finished.result()
            for wheel in folder.iterdir():
                if not (target_dir / wheel.name).exists():
                    shutil.move(str(wheel), target_dir / wheel.name)
            progress(label, sum(path.stat().st_size for path in target_dir.iterdir()), None)
    return sorted(f"{WHEELS_DIR}/{path.name}" for path in target_dir.iterdir())


def _download(target: wheels.Target, folder: Path, wanted: list[str], environ) -> Path:
    done = subprocess.run([sys.executable, "-m", "pip", "download", "--quiet",
                           "--disable-pip-version-check", "--dest", str(folder),
                           *target.pip_options(), *wanted],
                          capture_output=True, text=True, check=False, timeout=900,
                          env=dict(environ))
    if done.returncode != 0:
        said = ([line for line in done.stderr.splitlines() if "ERROR" in line] or
                done.stderr.strip().splitlines() or ["?"])[-1]
        raise EnvironmentProblem(f"pip could not download crashlab's Python packages for Python "
                                 f"{target.python} on {target.platform} ({said}): check the "
                                 "network, or leave that Python out with --python, then make "
                                 "the kit again")
    return folder


def _write_source(out: Path) -> str:
    """The checked-out commit of this project as a git bundle (clone it with git), with the
    branch it is on, so that the participant's clone is on that branch, not a detached HEAD."""
    target = out / SOURCE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    git = shutil.which("git")
    if git is None:
        raise EnvironmentProblem("git is not installed: the kit carries the lab's source as a "
                                 "git bundle; install git and retry")
    root = str(paths.project_root())
    branch = subprocess.run([git, "-C", root, "symbolic-ref", "-q", "HEAD"], capture_output=True,
                            text=True, check=False, timeout=60).stdout.strip()
    done = subprocess.run([git, "-C", root, "bundle", "create", str(target), "HEAD",
                           *([branch] if branch else [])], capture_output=True, text=True,
                          check=False, timeout=300)
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["?"])[-1]
        raise EnvironmentProblem(f"git could not bundle {paths.project_root()} ({said}): make "
                                 "the kit from a git checkout of crashlab")
    return SOURCE_FILE


def participant_readme(pins: Pins, image_platform: str,
                       wheel_targets: tuple[wheels.Target, ...]) -> str:
    pythons = sorted({target.python for target in wheel_targets},
                     key=lambda python: tuple(int(part) for part in python.split(".")))
    return f"""crashlab classroom kit
======================

Everything lab 3 needs, so that your machine downloads nothing:
  images/     the kind node image ({pins.node_tag}) and the lab image ({pins.lab_image}),
              saved for {image_platform}
  {TOOLS_DIR}/      kind {pins.kind} and kubectl {pins.kubectl} for Linux and macOS (amd64, arm64)
  {SOURCE_FILE}   the lab's source
  {WHEELS_DIR}/     the Python packages the lab installs, for CPython {", ".join(pythons)}
              on Linux and macOS (amd64, arm64)
  {MANIFEST}  every file with its SHA-256; checked before anything is loaded

You need Docker running and one of the Pythons above (`python3 --version`; with another
one, run `make PYTHON=python3.12 lab-3 KIT=...` naming one you have, or `make setup` once
with network).

1. Copy this whole folder from the stick to your disk (loading from a stick is slow).
   If the stick holds one crashlab-kit.tar instead, copy that file: make unpacks it into
   a folder beside it (room for both is needed) and checks it like a folder.
2. If you do not have the lab yet:   git clone KIT/{SOURCE_FILE} crashlab && cd crashlab
   (from a .tar: first `tar xf crashlab-kit.tar`, then KIT is the crashlab-kit folder)
3. In the lab's folder:              make lab-3 KIT=/path/to/this/folder
                         or          make lab-3 KIT=/path/to/crashlab-kit.tar

`make lab-3 KIT=...` checks every file, loads both images into Docker, installs kind and
kubectl into the lab's own tools folder (nothing system-wide), creates the cluster and
starts the lab. If a file is reported damaged, copy the kit again.
"""
