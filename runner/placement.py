"""Where one participant's copy of one scenario lives: built once, used by every driver.

The namespace formula, the owner labels, the workload and its pod prefix, the
render arguments and the workspace file all come from `placement_for`, so a
change to any of them is one edit here. Pure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from runner import ownership
from runner.podfacts import is_pod_of

NAMESPACE_PREFIX = "crashlab"


def namespace_name(participant: str, slug: str) -> str:
    """The namespace one participant's copy of one scenario lives in, named after the
    scenario's neutral slug (its service), never its id: the id names the cause."""
    return f"{NAMESPACE_PREFIX}-{participant}-{slug}"


def slug_of_namespace(namespace: str | None, participant: str) -> str | None:
    """The slug a namespace of `participant` was named after (`namespace_name` backwards)."""
    prefix = f"{NAMESPACE_PREFIX}-{participant}-"
    if isinstance(namespace, str) and namespace.startswith(prefix) and len(namespace) > len(prefix):
        return namespace[len(prefix):]
    return None


def scenario_key(slug: str) -> str:
    """The opaque, stable key that labels a scenario's objects: a hash of its slug, so it
    carries no word of the cause (hex digits cannot spell one)."""
    return "s" + hashlib.sha256(f"crashlab/{slug}".encode()).hexdigest()[:10]


def owner_labels(lab: str, key: str, participant: str) -> dict[str, str]:
    """Labels every object the lab creates carries (`key`: the scenario's `scenario_key`)."""
    return {
        ownership.MANAGED_BY_KEY: ownership.MANAGED_BY,
        ownership.LAB_KEY: lab,
        ownership.SCENARIO_KEY: key,
        ownership.PARTICIPANT_KEY: participant,
    }


def workspace_file(workspace: Path, slug: str) -> Path:
    """The learner's copy of a scenario's broken manifest in `workspace` (workspace/<lab>/)."""
    return Path(workspace) / slug / f"{slug}.yaml"


@dataclass(frozen=True)
class Placement:
    """One scenario placed for one participant."""

    lab: str
    participant: str
    scenario: str          # the catalogue id: internal, never shown before the quiz
    namespace: str
    labels: dict
    workload_kind: str
    workload_name: str
    container: str
    image: str
    workspace: Path | None = None
    slug: str = ""         # the neutral name: namespace, workspace file   # workspace/<lab>/, where the learner's copies go

    @property
    def pod_prefix(self) -> str:
        """Pods of the workload are named `<workload>-<hash>-<suffix>`."""
        return f"{self.workload_name}-"

    def owns_pod(self, pod: dict) -> bool:
        meta = pod.get("metadata") or {}
        return meta.get("namespace") in (None, self.namespace) and \
            is_pod_of(meta.get("name") or "", self.pod_prefix)

    def render_args(self) -> dict:
        """Keyword arguments for runner.catalog.render_manifests / render_manifest_text."""
        return {"namespace": self.namespace, "image": self.image,
                "participant": self.participant, "lab": self.lab}

    @property
    def manifest_path(self) -> Path:
        """The learner's copy of the broken manifest: workspace/<lab>/<slug>/<slug>.yaml."""
        return workspace_file(self.workspace or Path("."), self.slug)

    @property
    def solution_path(self) -> Path:
        return self.manifest_path.with_name(f"{self.slug}.solution.yaml")


def placement_for(lab: str, participant: str, scenario, image: str = "",
                  workspace: Path | None = None) -> Placement:
    """The Placement of `scenario` (a catalog Scenario) for `participant` in `lab`."""
    workload = scenario.workload
    return Placement(lab=lab, participant=participant, scenario=scenario.id,
                     namespace=namespace_name(participant, scenario.slug),
                     labels=owner_labels(lab, scenario.key, participant), slug=scenario.slug,
                     workload_kind=workload.kind, workload_name=workload.name,
                     container=workload.container, image=image, workspace=workspace)
