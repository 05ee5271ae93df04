"""The Docker edge of the kit: inspect an image, `docker save` it, `docker load` it.

save and load stream through this process in chunks, so progress can be shown in
bytes (Docker prints none when not on a terminal).
"""

import json
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from runner.errors import EnvironmentProblem
from runner.kind._run import ToolNotFound, find_tool, run

CHUNK = 1024 * 1024
INSPECT_TIMEOUT = 30.0
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class ImageFacts:
    image_id: str
    platform: str  # "linux/amd64"
    size: int
    repo_digests: tuple[str, ...]


def image_facts(ref: str, environ: Mapping[str, str] | None = None) -> ImageFacts | None:
    """What Docker knows of image `ref`, or None when it has no such image."""
    result = run(["docker", "image", "inspect", "--format", "{{json .}}", ref],
                 environ=environ, timeout=INSPECT_TIMEOUT)
    if not result.ok:
        return None
    try:
        data = json.loads(result.stdout)
        return ImageFacts(data["Id"], f"{data['Os']}/{data['Architecture']}",
                          int(data.get("Size") or 0), tuple(data.get("RepoDigests") or ()))
    except (ValueError, KeyError, TypeError):
        return None


def server_platform(environ: Mapping[str, str] | None = None) -> str:
    """The OS/CPU the Docker engine runs images for ("linux/amd64")."""
    result = run(["docker", "version", "--format", "{{.Server.Os}}/{{.Server.Arch}}"],
                 environ=environ, timeout=INSPECT_TIMEOUT)
    if not result.ok or "/" not in result.stdout:
        raise EnvironmentProblem(f"Docker is not answering ({result.last_error_line()}): start "
                                 "Docker, then retry")
    return result.stdout.strip()


def _docker(environ: Mapping[str, str] | None) -> tuple[str, dict[str, str]]:
    environ = dict(os.environ if environ is None else environ)
    docker = find_tool("docker", environ)
    if docker is None:
        raise ToolNotFound("docker")
    return docker, environ


def save(ref: str, target: Path, total: int | None, progress: Progress,
         environ: Mapping[str, str] | None = None) -> None:
    """`docker save ref` into `target` (via `target.part`, renamed when complete)."""
    docker, environ = _docker(environ)
    part = target.with_name(target.name + ".part")
    try:
        with open(part, "wb") as file, subprocess.Popen(
                [docker, "save", ref], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL, env=environ) as proc:
            done = 0
            while chunk := proc.stdout.read(CHUNK):
                file.write(chunk)
                done += len(chunk)
                progress(done, total)
            said = proc.stderr.read().decode(errors="replace").strip()
        if proc.returncode != 0:
            raise EnvironmentProblem(f"`docker save {ref}` failed ({said or proc.returncode}): "
                                     "nothing was written; fix that and retry")
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)


def load(archive: Path, progress: Progress, environ: Mapping[str, str] | None = None) -> None:
    """`docker load` the archive, fed through stdin so progress is known."""
    docker, environ = _docker(environ)
    total, done = archive.stat().st_size, 0
    with open(archive, "rb") as file, subprocess.Popen(
            [docker, "load"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=environ) as proc:
        try:
            while chunk := file.read(CHUNK):
                proc.stdin.write(chunk)
                done += len(chunk)
                progress(done, total)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        said = proc.stderr.read().decode(errors="replace").strip()
        proc.stdout.read()
    if proc.returncode != 0:
        raise EnvironmentProblem(f"`docker load` of {archive.name} failed "
                                 f"({said.splitlines()[-1] if said else proc.returncode}): "
                                 "check that Docker has free disk space, then retry")
