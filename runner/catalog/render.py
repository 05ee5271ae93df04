"""Render a scenario's manifest templates into Kubernetes objects (jinja2, StrictUndefined)."""

from __future__ import annotations

import functools
from pathlib import Path

from runner import placement
from runner.catalog.model import Scenario
from runner.errors import CatalogError

DEFAULT_IMAGE = "crashlab/lab-app:0.1.0"
DEFAULT_LAB = "lab-3"
DEFAULT_PARTICIPANT = "learner"
VARIANTS = ("broken", "solution")


@functools.lru_cache(maxsize=4)
def _environment(root: Path):
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters["yaml_map"] = yaml_map
    return environment


def yaml_map(mapping: dict, indent: int) -> str:
    """A flat mapping as block-style YAML lines at `indent` spaces, keys sorted, values quoted."""
    import json

    pad = " " * indent
    # JSON strings are valid YAML double-quoted scalars, so quoting stays correct for any value.
    return "\n".join(f"{pad}{key}: {json.dumps(str(value))}" for key, value in sorted(mapping.items()))


def template_context(scenario: Scenario, *, namespace: str, image: str, participant: str,
                     lab: str = DEFAULT_LAB, labels: dict | None = None) -> dict:
    """The variables every manifest template may use (`labels`: the owner labels, by default
    today's `placement.owner_labels` of the scenario id)."""
    return {
        "namespace": namespace,
        "image": image,
        "participant": participant,
        "lab": lab,
        "scenario": scenario.slug,
        "labels": labels if labels is not None else placement.owner_labels(lab, scenario.key, participant),
    }


def template_name(scenario: Scenario, variant: str) -> str:
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    return scenario.broken_template if variant == "broken" else scenario.solution_template


def render_text(scenario: Scenario, variant: str, root: Path, **context) -> str:
    """The manifest as YAML text, exactly what the learner gets to edit."""
    import jinja2

    name = template_name(scenario, variant)
    try:
        template = _environment(root).get_template(name)
        return template.render(template_context(scenario, **context))
    except jinja2.TemplateNotFound:
        raise CatalogError([f"{scenario.path}: spec.manifests.{variant}: template {root / name} not found"])
    except jinja2.TemplateError as error:
        where = f"{root / name}:{error.lineno}" if getattr(error, "lineno", None) else str(root / name)
        raise CatalogError([f"{where}: {error.message or error}"])


def parse_objects(text: str, source: str) -> list[dict]:
    """YAML documents -> objects, skipping empty documents."""
    from runner import yamlio

    try:
        documents = yamlio.load_all(text)
    except yamlio.YAMLError as error:
        line = yamlio.error_line(error)
        raise CatalogError([f"{source}{f':{line}' if line else ''}: not valid YAML: "
                            f"{yamlio.error_problem(error)}"])
    objects = [doc for doc in documents if doc is not None]
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict) or "kind" not in obj or "metadata" not in obj:
            raise CatalogError([f"{source}: document {index + 1} is not a Kubernetes object "
                                "(needs kind and metadata)"])
    return objects
