"""Where one participant's copy of one scenario lives: built once, used by every driver.

The namespace formula, the owner labels, the workload and its pod prefix, the
render arguments and the workspace file all come from `placement_for`, so a
change to any of them is one edit here. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runner import ownership
from runner.podfacts import is_pod_of

NAMESPACE_PREFIX = "crashlab"


def namespace_name(participant: str, scenario: str) -> str:
    """The namespace one participant's copy of one scenario lives in."""
    return f"{NAMESPACE_PREFIX}-{participant}-{scenario}"


def owner_labels(lab: str, scenario: str, participant: str) -> dict[str, str]:
    """Labels every object the lab creates carries."""
    return {
        ownership.MANAGED_BY_KEY: ownership.MANAGED_BY,
        ownership.LAB_KEY: lab,
        ownership.SCENARIO_KEY: scenario,
        ownership.PARTICIPANT_KEY: participant,
    }


@dataclass(frozen=True)
class Placement:
    """One scenario placed for one participant."""

    lab: str
    participant: str
    scenario: str
    namespace: str
    labels: dict
    workload_kind: str
    workload_name: str
    container: str
    image: str
    workspace: Path | None = None   # workspace/<lab>/, where the learner's copies go

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
        """The learner's copy of the broken manifest: workspace/<lab>/<scenario>/<scenario>.yaml."""
        return Path(self.workspace or ".") / self.scenario / f"{self.scenario}.yaml"

    @property
    def solution_path(self) -> Path:
        return self.manifest_path.with_name(f"{self.scenario}.solution.yaml")


def placement_for(lab: str, participant: str, scenario, image: str = "",
                  workspace: Path | None = None) -> Placement:
    """The Placement of `scenario` (a catalog Scenario) for `participant` in `lab`."""
    workload = scenario.workload
    return Placement(lab=lab, participant=participant, scenario=scenario.id,
                     namespace=namespace_name(participant, scenario.id),
                     labels=owner_labels(lab, scenario.id, participant),
                     workload_kind=workload.kind, workload_name=workload.name,
                     container=workload.container, image=image, workspace=workspace)
