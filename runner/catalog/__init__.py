"""The lab catalogue: labs, scenarios and their manifest templates."""

from __future__ import annotations

from pathlib import Path

from runner import paths
from runner.catalog.loader import load_catalog
from runner.catalog.model import (ALL_CAUSES, CAUSES, DIAGNOSED_AS, MORE_CAUSES, TEACHABLE, Catalog,
                                  Choice, Fixed, Guard, Lab, Question, Scenario, Symptom, Workload,
                                  diagnosed_cause)
from runner.catalog.render import (DEFAULT_IMAGE, DEFAULT_LAB, DEFAULT_PARTICIPANT, VARIANTS,
                                   parse_objects, render_text)


def render_manifest_text(scenario: Scenario, variant: str, *, namespace: str, image: str = DEFAULT_IMAGE,
                         participant: str = DEFAULT_PARTICIPANT, lab: str = DEFAULT_LAB,
                         root: Path | None = None) -> str:
    """The rendered manifest of one variant ("broken" or "solution") as YAML text."""
    root = Path(root) if root else _manifests_root(scenario)
    return render_text(scenario, variant, root, namespace=namespace, image=image,
                       participant=participant, lab=lab)


def _manifests_root(scenario: Scenario) -> Path:
    # A scenario renders from the manifests/ beside the scenarios/ folder it was loaded from.
    if scenario.path is not None:
        return scenario.path.resolve().parent.parent / "manifests"
    return paths.manifests_dir()


def render_manifests(scenario: Scenario, variant: str, *, namespace: str, image: str = DEFAULT_IMAGE,
                     participant: str = DEFAULT_PARTICIPANT, lab: str = DEFAULT_LAB,
                     root: Path | None = None) -> list[dict]:
    """The rendered manifest of one variant as Kubernetes objects."""
    text = render_manifest_text(scenario, variant, namespace=namespace, image=image,
                                participant=participant, lab=lab, root=root)
    return parse_objects(text, f"{scenario.id}/{variant}")


__all__ = [
    "ALL_CAUSES", "CAUSES", "DIAGNOSED_AS", "MORE_CAUSES", "TEACHABLE", "diagnosed_cause", "Catalog", "Choice", "DEFAULT_IMAGE", "DEFAULT_LAB", "DEFAULT_PARTICIPANT",
    "Fixed", "Guard", "Lab", "Question", "Scenario", "Symptom", "VARIANTS", "Workload", "load_catalog",
    "render_manifest_text", "render_manifests",
]
