"""The classroom kit's manifest: what a kit holds, for which versions and platforms. Pure.

A kit is one folder: `manifest.json`, the node and lab images as `docker save`
archives, kind and kubectl for each platform laid out like their download hosts
(so `runner.kind.fetch` installs them from `file://` URLs with the same checks),
the project's source as a git bundle, the Python packages `make setup` installs (as
wheels for every CPython and platform of runner.kit.wheels, or the ones asked for), and a
README. Every file is listed with its
size and SHA-256; nothing is loaded before all of them match.
"""

import json
import re
from dataclasses import dataclass

from runner.errors import InputError
from runner.kind import versions
from runner.kit.wheels import PYTHONS, Target, parse_key

FORMAT = "crashlab-kit/2"  # 2: wheels_for lists targets ("3.12 darwin/arm64")
MANIFEST = "manifest.json"
TOOLS_DIR = "tools"  # a mirror of the download hosts: tools/kind/..., tools/kubectl/...
WHEELS_DIR = "wheels"  # crashlab's Python dependencies, for `pip install --no-index`


WHEEL_KEY = re.compile(r"3\.\d{1,2} (" + "|".join(versions.OPERATING_SYSTEMS) + ")/("
                       + "|".join(versions.ARCHITECTURES) + ")")


class KitError(InputError):
    """The kit cannot be used here: missing or changed file, other versions, other platform."""


@dataclass(frozen=True)
class Pins:
    """The versions a kit must match: the pins of runner.kind.versions and the lab image."""

    kind: str
    kubectl: str
    node_image: str  # tag@sha256:digest as pinned; a stand-in built locally has no digest
    lab_image: str

    @property
    def node_tag(self) -> str:
        return self.node_image.split("@", 1)[0]

    @property
    def node_digest(self) -> str | None:
        return self.node_image.split("@", 1)[1] if "@" in self.node_image else None

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "kubectl": self.kubectl, "node_image": self.node_image,
                "lab_image": self.lab_image}


def current_pins(lab_image: str) -> Pins:
    return Pins(versions.KIND_VERSION, versions.KUBECTL_VERSION, versions.NODE_IMAGE, lab_image)


@dataclass(frozen=True)
class KitFile:
    path: str  # relative to the kit folder, with '/'
    size: int
    sha256: str


@dataclass(frozen=True)
class KitImage:
    role: str  # "node" or "lab"
    ref: str  # the tag it is loaded under
    image_id: str  # Docker's image ID where the kit was made (sha256:...)
    file: str
    # The config digest from the archive's manifest.json: Docker's image ID with the
    # classic image store, where with the containerd store `.Id` is the manifest digest
    # (kind #4236), so a kit made on one store is recognised after loading on the other.
    config: str = ""

    @property
    def accepted_ids(self) -> set[str]:
        return {self.image_id, self.config} - {""}


@dataclass(frozen=True)
class Manifest:
    pins: Pins
    image_platform: str  # "linux/amd64": the platform of the saved images
    tool_platforms: tuple[str, ...]  # ("linux/amd64", "darwin/arm64", ...)
    images: tuple[KitImage, ...]
    files: tuple[KitFile, ...]
    crashlab: str = ""
    source: str = ""
    wheels_for: tuple[str, ...] = ()  # Target keys ("3.12 darwin/arm64") wheels/ serves

    def image(self, role: str) -> KitImage:
        return next(image for image in self.images if image.role == role)

    def to_json(self) -> str:
        return json.dumps({
            "format": FORMAT, "crashlab": self.crashlab, "pins": self.pins.as_dict(),
            "image_platform": self.image_platform, "tool_platforms": list(self.tool_platforms),
            "images": [{"role": i.role, "ref": i.ref, "id": i.image_id, "file": i.file,
                        "config": i.config} for i in self.images],
            "source": self.source, "wheels_for": list(self.wheels_for),
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.files],
        }, indent=2) + "\n"


def parse_manifest(text: str, where: str = MANIFEST) -> Manifest:
    """The manifest in `text`; KitError naming the first bad field otherwise."""
    try:
        data = json.loads(text)
    except ValueError as bad:
        raise KitError(f"{where} is not JSON ({bad}): copy the kit again from the "
                       "instructor's stick") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        got = data.get("format") if isinstance(data, dict) else None
        raise KitError(f"{where}: format is {got!r}, not {FORMAT!r}: this crashlab cannot read "
                       "that kit; ask for one made with this checkout (`crashlab workshop kit`)")
    try:
        pins = Pins(**{key: _text(data["pins"], key, "pins") for key in
                       ("kind", "kubectl", "node_image", "lab_image")})
        images = tuple(KitImage(_text(item, "role", "images[]"), _text(item, "ref", "images[]"),
                                _text(item, "id", "images[]"), _text(item, "file", "images[]"),
                                str(item.get("config", "")))
                       for item in _list(data, "images"))
        files = tuple(KitFile(_text(item, "path", "files[]"), _int(item, "size"),
                              _text(item, "sha256", "files[]").lower())
                      for item in _list(data, "files"))
        return Manifest(pins, _text(data, "image_platform", ""),
                        tuple(_list(data, "tool_platforms")), images, files,
                        crashlab=str(data.get("crashlab", "")), source=str(data.get("source", "")),
                        wheels_for=_wheel_keys(data.get("wheels_for", [])))
    except (KeyError, TypeError) as missing:
        raise KitError(f"{where}: field {missing} is missing or not the right type: copy the "
                       "kit again from the instructor's stick") from None


def _wheel_keys(value) -> tuple[str, ...]:
    """The wheels_for list, each entry a well-formed target key."""
    if not isinstance(value, list) or not all(
            isinstance(key, str) and WHEEL_KEY.fullmatch(key) for key in value):
        raise TypeError("wheels_for")
    return tuple(value)


def _text(data, key: str, parent: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value:
        raise TypeError(f"{parent}.{key}".lstrip("."))
    return value


def _int(data, key: str) -> int:
    value = data[key]
    if not isinstance(value, int) or value < 0:
        raise TypeError(f"files[].{key}")
    return value


def _list(data, key: str) -> list:
    value = data[key]
    if not isinstance(value, list):
        raise TypeError(key)
    return value


def check_pins(manifest: Manifest, pins: Pins) -> None:
    """KitError when the kit was made for other versions than this checkout pins."""
    theirs, ours = manifest.pins.as_dict(), pins.as_dict()
    differing = [f"{key} {theirs[key]} (this crashlab pins {ours[key]})"
                 for key in ours if theirs[key] != ours[key]]
    if differing:
        raise KitError(f"this kit is for other versions: {'; '.join(differing)}: use the crashlab "
                       "source in the kit (git clone KIT/source/crashlab.bundle), or ask for a "
                       "kit made from this checkout")


def check_platform(manifest: Manifest, docker_platform: str, host_platform: str | None) -> None:
    """KitError when the kit's images or tools do not fit this machine."""
    if docker_platform != manifest.image_platform:
        raise KitError(f"this kit's images are for {manifest.image_platform} but Docker here runs "
                       f"{docker_platform}: ask for a kit made on a {docker_platform} machine "
                       "(`crashlab workshop kit` saves the images of the machine it runs on)")
    if host_platform not in manifest.tool_platforms:
        raise KitError(f"this kit has kind and kubectl for {', '.join(manifest.tool_platforms)}, "
                       f"not for this machine ({host_platform or 'an unsupported platform'}): "
                       "install them yourself, or ask for a kit that includes it")


def check_listed(manifest: Manifest) -> None:
    """KitError when an image archive or a tool of the manifest is not in its file list."""
    listed = {item.path for item in manifest.files}
    for image in manifest.images:
        if image.file not in listed:
            raise KitError(f"{MANIFEST}: image {image.ref} names {image.file}, which the file "
                           "list does not have: copy the kit again")
    if {"node", "lab"} - {image.role for image in manifest.images}:
        raise KitError(f"{MANIFEST}: the kit needs a node and a lab image: make the kit again")


def tool_paths(os_name: str, arch: str) -> list[str]:
    """The kit-relative paths of kind, kubectl and their published checksum files."""
    paths = []
    for tool in ("kind", "kubectl"):
        binary, checksum = versions.download_urls(tool, os_name, arch, base="kit:")
        paths += [f"{TOOLS_DIR}/{binary.removeprefix('kit:/')}",
                  f"{TOOLS_DIR}/{checksum.removeprefix('kit:/')}"]
    return paths


def published_checksum_text(tool: str, os_name: str, arch: str, sha256: str) -> str:
    """A checksum file in the release's own format (see runner.kind.downloads)."""
    return f"{sha256}\n" if tool == "kubectl" else f"{sha256}  kind-{os_name}-{arch}\n"


def check_wheels(manifest: Manifest, here: Target | None, described: str) -> None:
    """KitError when the kit's wheels do not serve this interpreter (`here`, None when no
    kit can: not CPython, or an unsupported machine; `described` says what it is)."""
    if not manifest.wheels_for:
        raise KitError("this kit has no Python packages: run `make setup` once with network, "
                       "then `make lab-3 KIT=...` again")
    if here is not None and here.key in manifest.wheels_for:
        return
    served = [parse_key(key) for key in manifest.wheels_for]
    pythons = sorted({t.python for t in served if here and t.platform == here.platform},
                     key=lambda python: tuple(int(part) for part in python.split(".")))
    if pythons:
        raise KitError(f"this kit's Python packages are for Python {', '.join(pythons)} on "
                       f"{here.platform}, this is {described}: run `make PYTHON=python"
                       f"{pythons[-1]} lab-3 KIT=...` (any of those Pythons will do); else run "
                       "`make setup` once with network")
    platforms = sorted({t.platform for t in served})
    raise KitError(f"this kit's Python packages are for CPython on {', '.join(platforms)}, "
                   f"this is {described}: use a CPython {PYTHONS[0]} or newer on one of those, "
                   "or run `make setup` once with network")
