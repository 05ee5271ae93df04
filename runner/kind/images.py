"""The lab image: build it with Docker, load it into the kind node only when it changed.

Since kind v0.12.0, `kind load docker-image` compares `docker image inspect`'s ID
with `crictl inspecti` on each node before it saves anything
(pkg/cmd/kind/load/docker-image/docker-image.go). That comparison only holds with
Docker's classic image store: with the containerd image store (the default of a
fresh Docker Engine 29) `.Id` is the digest of the manifest or index, while
crictl reports the config digest, so kind re-loads every time (kind #4236).
crashlab compares itself and accepts either digest the node holds: the config
digest from crictl, or the target digest containerd records (`ctr images list`),
the approach of kind PR #4238. It can then say "already loaded".
"""

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from runner import paths
from runner.errors import ClusterError, EnvironmentProblem
from runner.kind._run import run
from runner.kind._steps import silent_step
from runner.kind.clusters import DEFAULT_CLUSTER, list_nodes

LAB_IMAGE = "crashlab/lab-app:0.1.0"
INSPECT_TIMEOUT = 30.0
BUILD_TIMEOUT = 1200.0
LOAD_TIMEOUT = 600.0


@dataclass(frozen=True)
class LabImage:
    """The lab image as the cluster will run it."""

    image: str
    image_id: str
    built: bool
    loaded: bool  # False: every node already had this exact image ID


def local_image_id(image: str, environ: Mapping[str, str] | None = None) -> str | None:
    """`docker image inspect` ID of `image` (sha256:...), or None when Docker has no such image."""
    result = run(["docker", "image", "inspect", "--format", "{{.Id}}", image],
                 environ=environ, timeout=INSPECT_TIMEOUT)
    image_id = result.stdout.strip() if result.ok else ""
    return image_id or None


def node_image_id(node: str, image: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The config digest CRI on kind node `node` has for `image`, or None when it has none."""
    result = run(["docker", "exec", node, "crictl", "inspecti", "-o", "json", image],
                 environ=environ, timeout=INSPECT_TIMEOUT)
    if not result.ok:
        return None
    try:
        return json.loads(result.stdout)["status"]["id"] or None
    except (ValueError, KeyError, TypeError):
        return None


def node_image_target(node: str, image: str, environ: Mapping[str, str] | None = None
                      ) -> str | None:
    """The target (manifest or index) digest containerd on `node` records for `image`.

    `ctr images list` prints a table `REF TYPE DIGEST SIZE PLATFORMS LABELS`
    (containerd cmd/ctr/commands/images/images.go); kind imports into namespace k8s.io.
    """
    ref = full_reference(image)
    result = run(["docker", "exec", node, "ctr", "--namespace=k8s.io", "images", "list",
                  f"name=={ref}"], environ=environ, timeout=INSPECT_TIMEOUT)
    if not result.ok:
        return None
    return parse_ctr_digest(result.stdout, ref)


def full_reference(image: str) -> str:
    """`crashlab/lab-app:0.1.0` -> `docker.io/crashlab/lab-app:0.1.0`, as containerd names it."""
    first = image.split("/", 1)[0]
    if "/" in image and ("." in first or ":" in first or first == "localhost"):
        return image
    return f"docker.io/{image}" if "/" in image else f"docker.io/library/{image}"


def parse_ctr_digest(table: str, ref: str) -> str | None:
    """The DIGEST column of row `ref` in `ctr images list` output."""
    for line in table.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 3 and fields[0] == ref and fields[2].startswith("sha256:"):
            return fields[2]
    return None


def build_image(image: str = LAB_IMAGE, *, environ: Mapping[str, str] | None = None,
                context_dir: Path | None = None, base: str | None = None) -> str:
    """`docker build -t IMAGE [--build-arg BASE=...] images/app`; return the new image ID."""
    context_dir = context_dir or paths.app_image_dir()
    argv = ["docker", "build", "-t", image]
    if base:
        argv += ["--build-arg", f"BASE={base}"]
    result = run([*argv, str(context_dir)], environ=_without_attestations(environ),
                 timeout=BUILD_TIMEOUT)
    if not result.ok:
        raise EnvironmentProblem(f"docker could not build {image} from {context_dir} "
                                 f"({result.last_error_line()}): fix that, or pass "
                                 "--base-image with a base image you have locally")
    image_id = local_image_id(image, environ)
    if image_id is None:
        raise EnvironmentProblem(f"docker built {image} but cannot find it afterwards: retry")
    return image_id


def _without_attestations(environ: Mapping[str, str] | None) -> dict[str, str]:
    """Buildx adds a provenance attestation by default, which `kind load` cannot import
    (`ctr: content digest ...: not found`, kind #3795). BUILDX_NO_DEFAULT_ATTESTATIONS=1
    turns it off (docs.docker.com/build/building/variables/); unlike `--provenance=false`
    it does not break the legacy builder, which ignores it."""
    return {**(os.environ if environ is None else environ), "BUILDX_NO_DEFAULT_ATTESTATIONS": "1"}


def load_image(image: str, cluster: str = DEFAULT_CLUSTER, *,
               environ: Mapping[str, str] | None = None) -> None:
    """`kind load docker-image IMAGE --name CLUSTER`."""
    result = run(["kind", "load", "docker-image", image, "--name", cluster],
                 environ=environ, timeout=LOAD_TIMEOUT)
    if not result.ok:
        raise ClusterError(f"kind could not load {image} into cluster {cluster!r} "
                           f"({result.last_error_line()}): retry `crashlab cluster up`")


def image_on_all_nodes(image: str, image_id: str, cluster: str = DEFAULT_CLUSTER, *,
                       environ: Mapping[str, str] | None = None) -> bool:
    """True when every node of `cluster` already has `image` with exactly `image_id`
    (Docker's ID: the config digest, or with the containerd store the target digest)."""
    nodes = list_nodes(cluster, environ)
    return bool(nodes) and all(_node_has(node, image, image_id, environ) for node in nodes)


def _node_has(node: str, image: str, image_id: str, environ) -> bool:
    if node_image_id(node, image, environ) == image_id:
        return True  # classic store: config digest on both sides
    return node_image_target(node, image, environ) == image_id


def ensure_image(image: str = LAB_IMAGE, cluster: str = DEFAULT_CLUSTER, *,
                 environ: Mapping[str, str] | None = None, build: bool = True,
                 base: str | None = None, step=silent_step) -> LabImage:
    """Build `image` (unless build=False) and load it into `cluster` unless already there."""
    if build:
        with step(f"Building {image}") as note:
            image_id = build_image(image, environ=environ, base=base)
            note.text = image_id[:19]
    else:
        image_id = local_image_id(image, environ)
        if image_id is None:
            raise EnvironmentProblem(f"Docker has no image {image}: drop --no-build, or build "
                                     f"it with `docker build -t {image} images/app`")
    with step(f"Loading {image} into kind cluster {cluster!r}") as note:
        if image_on_all_nodes(image, image_id, cluster, environ=environ):
            note.text = "already loaded (same image ID)"
            return LabImage(image, image_id, built=build, loaded=False)
        load_image(image, cluster, environ=environ)
        note.text = "loaded"
    return LabImage(image, image_id, built=build, loaded=True)
