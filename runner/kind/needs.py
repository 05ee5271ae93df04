"""What a machine would download before the lab starts, and roughly how much: pure.

The sizes are approximate on purpose (they change with every release) and are shown as
such; the download itself shows exact bytes. Sources:
- node image: kind PR #2310 (kubernetes-sigs/kind, 2021) lists `docker images kindest/node`
  at 931 MB-1.13 GB on disk; kind's own create timeout comment (runner.kind.clusters)
  uses the same "~1 GB". It is fetched compressed, so the transfer is smaller.
- kind, kubectl, python:3.12-slim: orders of magnitude only (kind ~10 MB, kubectl
  ~60 MB, the compressed base ~45 MB), not measured here and not from a cited source;
  they are there so that "1 GB" is not read as "70 MB". The node image dominates.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from runner.kind import versions

APPROX_BYTES = {"node image": 1_000_000_000, "kind": 10_000_000, "kubectl": 60_000_000,
                "lab image base": 45_000_000}
REGISTRY = ("registry-1.docker.io", 443)  # where Docker pulls kindest/node and python from
LAB_BASE = "python:3.12-slim"  # images/app/Dockerfile's default BASE


@dataclass(frozen=True)
class Need:
    what: str  # "kind v0.33.0", "kindest/node:v1.35.8"
    approx_bytes: int
    host: tuple[str, int]


def plan_needs(missing_tools: list[str], node_image_present: bool, lab_image_present: bool,
               base_present: bool, base_url: str | None = None) -> list[Need]:
    """Each download the lab would make on this machine, in the order it makes them.

    `base_url` (CRASHLAB_DOWNLOAD_BASE) replaces every download host, as for the tools.
    """
    kind_host = _host(base_url or versions.KIND_BASE)
    kubectl_host = _host(base_url or versions.KUBECTL_BASE)
    registry = _host(base_url) if base_url else REGISTRY
    needs = []
    if "kind" in missing_tools:
        needs.append(Need(f"kind {versions.KIND_VERSION}", APPROX_BYTES["kind"], kind_host))
    if "kubectl" in missing_tools:
        needs.append(Need(f"kubectl {versions.KUBECTL_VERSION}", APPROX_BYTES["kubectl"],
                          kubectl_host))
    if not node_image_present:
        needs.append(Need(versions.NODE_IMAGE.split("@")[0], APPROX_BYTES["node image"],
                          registry))
    if not lab_image_present and not base_present:
        needs.append(Need(f"{LAB_BASE} (the lab image's base)", APPROX_BYTES["lab image base"],
                          registry))
    return needs


def _host(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def describe(needs: list[Need]) -> str:
    """'kind v0.33.0 (~10 MB), kindest/node:v1.35.8 (~1 GB): about 1.1 GB in all'."""
    listed = ", ".join(f"{need.what} (~{_size(need.approx_bytes)})" for need in needs)
    return f"{listed}: about {_size(sum(need.approx_bytes for need in needs))} in all"


def _size(count: int) -> str:
    return f"{count / 1e9:.1f} GB" if count >= 1e9 else f"{count / 1e6:.0f} MB"
