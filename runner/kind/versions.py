"""The one place that pins kind, its node image, kubectl and where to download them.

Pure data and string building: preflight, cluster creation, the tools
download, CI (`python -m runner.kind.versions`) and the README read or quote
these values. Bump them together, from one kind release's notes.
"""

# kind v0.33.0 is the newest release (https://github.com/kubernetes-sigs/kind/releases/tag/v0.33.0).
KIND_VERSION = "v0.33.0"

# From the kind v0.33.0 release notes, "Images pre-built for this release": v1.35.8.
# kind supports a node image only with the release that built it, and a tag alone can
# point at a build for another release, so the image is pinned by digest.
KUBERNETES_VERSION = "v1.35.8"
NODE_IMAGE = ("kindest/node:v1.35.8@sha256:"
              "07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0")

# The node images ship containerd 2, whose config kind reads only from v0.27.0 on
# (kubernetes-sigs/kind commit 586b0389 "update containerd to v2.0.2", first tagged
# v0.27.0): older kind fails `kind load` with "failed to detect containerd snapshotter"
# (kind issues #3853, #3871).
KIND_MINIMUM = "v0.27.0"

# kubectl within one minor of the cluster (Kubernetes version skew policy).
KUBECTL_VERSION = "v1.35.8"

# The Kubernetes minors whose kubelet and kubectl wording the lab understands and tests.
SUPPORTED_MINORS = ("1.33", "1.34", "1.35")

OPERATING_SYSTEMS = ("linux", "darwin")
ARCHITECTURES = ("amd64", "arm64")
_MACHINES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}

# kind's quick start downloads kind-<os>-<arch> of a release; kind's release build
# (hack/release/build/cross.sh) publishes `shasum -a 256` output beside each binary as
# <binary>.sha256sum ("<hex>  kind-linux-amd64").
KIND_BASE = "https://github.com/kubernetes-sigs/kind/releases/download"
# kubernetes.io "Install and Set Up kubectl on Linux/macOS": the binary is
# dl.k8s.io/release/<version>/bin/<os>/<arch>/kubectl and kubectl.sha256 beside it holds
# the bare hex digest.
KUBECTL_BASE = "https://dl.k8s.io/release"

# SHA-256 pinned in the repo, checked in addition to the published one. Empty: no source
# this project can cite gives the digests of the v0.33.0 / v1.35.8 binaries, so only the
# release's published checksum is checked. Add "tool/os/arch": "<hex>" entries from a
# cited source when one exists.
PINNED_SHA256: dict[str, str] = {}


def version_tuple(version: str) -> tuple[int, ...]:
    """'v0.27.0' -> (0, 27, 0)."""
    return tuple(int(part) for part in version.lstrip("v").split("."))


def platform_of(system: str, machine: str) -> tuple[str, str] | None:
    """(os, arch) as the release files name them, from platform.system()/machine(); None
    when neither kind nor kubectl publishes a binary this lab supports for it."""
    os_name, arch = system.lower(), _MACHINES.get(machine.lower())
    if os_name not in OPERATING_SYSTEMS or arch is None:
        return None
    return os_name, arch


def download_urls(tool: str, os_name: str, arch: str, base: str | None = None
                  ) -> tuple[str, str]:
    """(binary URL, published checksum URL) of the pinned `tool` for os/arch.

    `base` replaces both hosts (tests serve the files locally): `<base>/kind/<version>/...`
    and `<base>/kubectl/<version>/bin/...`.
    """
    if tool == "kind":
        root = f"{base.rstrip('/')}/kind" if base else KIND_BASE
        binary = f"{root}/{KIND_VERSION}/kind-{os_name}-{arch}"
        return binary, binary + ".sha256sum"
    if tool == "kubectl":
        root = f"{base.rstrip('/')}/kubectl" if base else KUBECTL_BASE
        binary = f"{root}/{KUBECTL_VERSION}/bin/{os_name}/{arch}/kubectl"
        return binary, binary + ".sha256"
    raise ValueError(f"no download for {tool!r}")


def pinned_version(tool: str) -> str:
    return {"kind": KIND_VERSION, "kubectl": KUBECTL_VERSION}[tool]


def _print_for_ci() -> None:
    """`python -m runner.kind.versions` prints shell assignments for CI."""
    print(f"KIND_VERSION={KIND_VERSION}")
    print(f"KUBECTL_VERSION={KUBECTL_VERSION}")
    print(f"NODE_IMAGE={NODE_IMAGE}")


if __name__ == "__main__":
    _print_for_ci()
