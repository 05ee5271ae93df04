"""Load labs and scenarios from YAML, validate them all, report every problem at once."""

from __future__ import annotations

import dataclasses

from pathlib import Path

from runner import ownership, paths, placement, yamlio
from runner.catalog import fairness, files
from runner.catalog.model import (Catalog, Choice, Fixed, Guard, Lab, Question, Scenario, Symptom,
                                  Workload)
from runner.catalog.render import DEFAULT_IMAGE, VARIANTS, parse_objects, render_text
from runner.catalog.schema import validate
from runner.catalog.spoilers import lab_spoiler_problems, neutral_placement, spoiler_problems
from runner.errors import CatalogError
from runner.expect import lint_expectation

_SAMPLE = {"namespace": "crashlab-check-sample", "image": DEFAULT_IMAGE, "participant": "check"}


def load_catalog(root: Path | None = None, *, manifests: bool = True) -> Catalog:
    """Read labs/ and scenarios/ under `root`; raise CatalogError listing every problem.

    With `manifests`, each scenario's templates are also rendered and checked (that
    costs jinja2 and ~0.3 s; listing the catalogue does without it).
    """
    root = Path(root) if root else paths.project_root()
    problems: list[str] = []
    scenarios = {}
    scenario_files = sorted((root / "scenarios").glob("*.yaml"))
    for path in scenario_files:
        scenario = _load_one(path, files.SCENARIO, _build_scenario, problems)
        if scenario is not None:
            if manifests:
                problems += _check_manifests(scenario, root / "manifests")
            scenarios[scenario.id] = scenario
    problems += _slug_problems(scenarios)
    labs, checked = {}, set()
    for path in sorted((root / "labs").glob("*.yaml")):
        lab = _load_one(path, files.LAB, _build_lab, problems)
        if lab is not None:
            problems += _check_lab(lab, {path.stem for path in scenario_files})
            problems += [f"{lab.path}: {field}: {message}" for field, message in lab_spoiler_problems(lab)]
            if lab.id not in fairness.PENDING_LABS:
                problems += _fairness_problems(lab, [scenarios[sid] for sid in lab.scenario_ids
                                                     if sid in scenarios], checked)
            labs[lab.id] = dataclasses.replace(lab, slugs={
                sid: scenarios[sid].slug for sid in lab.scenario_ids if sid in scenarios})
    if not labs and not problems:
        problems.append(f"{root / 'labs'}: no lab files (*.yaml) found")
    if problems:
        raise CatalogError(problems)
    return Catalog(labs=labs, scenarios=scenarios)


def _load_one(path: Path, schema, build, problems: list[str]):
    try:
        data = yamlio.load(path.read_text(encoding="utf-8"))
    except yamlio.YAMLError as error:
        line = yamlio.error_line(error)
        problems.append(f"{path}{f':{line}' if line else ''}: not valid YAML: {yamlio.error_problem(error)}")
        return None
    except (OSError, UnicodeDecodeError) as error:
        problems.append(f"{path}: cannot read: {error}")
        return None
    found = [f"{path}: {field}: {message}" for field, message in validate(data, schema)]
    if not found and data["metadata"]["id"] != path.stem:
        found.append(f"{path}: metadata.id: {data['metadata']['id']!r} must match the file name "
                     f"{path.stem!r}")
    if not found:
        found += [f"{path}: {field}: {message}" for field, message in _semantic_problems(data)]
    problems += found
    return None if found else build(data, path)


def _semantic_problems(data: dict) -> list[tuple[str, str]]:
    if data["kind"] != "Scenario":
        return []
    spec = data["spec"]
    found = []
    for name, question in spec["quiz"].items():
        path = f"spec.quiz.{name}.choices"
        ids = [choice["id"] for choice in question["choices"]]
        for index, choice_id in enumerate(ids):
            if ids.index(choice_id) != index:
                found.append((f"{path}[{index}].id", f"{choice_id!r} is used twice"))
        correct = [i for i, choice in enumerate(question["choices"]) if choice.get("correct")]
        if len(correct) != 1:
            found.append((path, f"needs exactly one choice with correct: true, has {len(correct)}"))
        if name == "cause":
            found += _cause_choice_problems(question["choices"], spec["cause"], path)
    for key in ("symptom", "fixed"):
        found += [(f"spec.{key}.pod{sub}", message) for sub, message in lint_expectation(spec[key]["pod"])]
    for index, event in enumerate(spec["symptom"].get("events", [])):
        found += [(f"spec.symptom.events[{index}]{sub}", message) for sub, message in lint_expectation(event)]
    for index, guard in enumerate(spec["guards"]):
        found += [(f"spec.guards[{index}].check{sub}", message) for sub, message in lint_expectation(guard["check"])]
    return found


def _cause_choice_problems(choices: list[dict], cause: str, path: str) -> list[tuple[str, str]]:
    found = []
    if len(choices) < 4:
        found.append((path, f"the cause question needs at least 4 choices, has {len(choices)}"))
    for index, choice in enumerate(choices):
        if choice["id"] not in files.CAUSE_IDS:
            found.append((f"{path}[{index}].id", f"{choice['id']!r} is not a cause id; use one of: "
                           f"{', '.join(files.CAUSE_IDS)}"))
        if choice.get("correct") and choice["id"] != cause:
            found.append((f"{path}[{index}].correct", f"the correct choice must be the scenario's "
                          f"cause {cause!r}, not {choice['id']!r}"))
    return found


def _build_scenario(data: dict, path: Path) -> Scenario:
    spec = data["spec"]
    symptom = spec["symptom"]
    return Scenario(
        id=data["metadata"]["id"],
        sample_title=spec["afterQuiz"]["title"],
        cause=spec["cause"],
        sample=spec.get("sample"),
        story=spec["story"].strip(),
        workload=Workload(**spec["workload"]),
        broken_template=spec["manifests"]["broken"],
        solution_template=spec["manifests"]["solution"],
        symptom=Symptom(summary=symptom["summary"].strip(), pod=symptom["pod"],
                        events=tuple(symptom.get("events", ())), logs=tuple(symptom.get("logs", ())),
                        within_seconds=symptom.get("withinSeconds", 120)),
        questions=tuple(_build_question(name, q) for name, q in spec["quiz"].items()),
        hints=tuple(hint.strip() for hint in spec["hints"]),
        explanation=spec["explanation"].strip(),
        fixed=Fixed(pod=spec["fixed"]["pod"], min_stable_seconds=spec["fixed"].get("minStableSeconds", 10)),
        guards=tuple(Guard(**guard) for guard in spec["guards"]),
        targeted=tuple(spec["afterQuiz"]["kubectl"]),
        path=path,
    )


def _build_question(name: str, data: dict) -> Question:
    choices = tuple(Choice(id=c["id"], text=c["text"].strip(), feedback=c["feedback"].strip(),
                           correct=bool(c.get("correct"))) for c in data["choices"])
    return Question(id=name, prompt=data["prompt"].strip(), choices=choices)


def _build_lab(data: dict, path: Path) -> Lab:
    return Lab(id=data["metadata"]["id"], title=data["metadata"]["title"],
               intro=data["spec"]["intro"].strip(), scenario_ids=tuple(data["spec"]["scenarios"]),
               path=path)


def _check_lab(lab: Lab, scenarios: set[str]) -> list[str]:
    found = []
    for index, scenario_id in enumerate(lab.scenario_ids):
        where = f"{lab.path}: spec.scenarios[{index}]"
        if scenario_id not in scenarios:
            found.append(f"{where}: no scenario {scenario_id!r} (expected scenarios/{scenario_id}.yaml)")
        elif lab.scenario_ids.index(scenario_id) != index:
            found.append(f"{where}: {scenario_id!r} is listed twice")
    return found


def _fairness_problems(lab: Lab, played: list[Scenario], checked: set[str]) -> list[str]:
    """Concrete choices in each scenario (once, whatever labs list it), the longest rule per lab."""
    found = []
    for scenario in played:
        if scenario.id not in checked:
            checked.add(scenario.id)
            found += [f"{scenario.path}: {field}: {message}"
                      for field, message in fairness.choice_problems(scenario)]
    return found + [f"{lab.path}: {field}: {message}"
                    for field, message in fairness.longest_problems(played)]


def _slug_problems(scenarios: dict[str, Scenario]) -> list[str]:
    found, seen = [], {}
    for scenario in scenarios.values():
        if scenario.slug in seen:
            found.append(f"{scenario.path}: spec.workload.name: {scenario.slug!r} is also the service of "
                         f"{seen[scenario.slug]!r}; each scenario needs its own service name (its slug)")
        seen.setdefault(scenario.slug, scenario.id)
    return found


def _check_spoilers(scenario: Scenario, manifests_root: Path) -> list[str]:
    """The broken manifest as the lab will place it, and all else shown before the quiz."""
    placement = neutral_placement(scenario, "lab-3", _SAMPLE["participant"])
    text = render_text(scenario, "broken", manifests_root, namespace=placement.namespace,
                       image=DEFAULT_IMAGE, participant=_SAMPLE["participant"], labels=placement.labels)
    objects = parse_objects(text, str(manifests_root / scenario.broken_template))
    return [f"{scenario.path}: {field}: {message}"
            for field, message in spoiler_problems(scenario, placement, objects, text)]


def _check_manifests(scenario: Scenario, manifests_root: Path) -> list[str]:
    found = []
    rendered = {}
    for variant in VARIANTS:
        try:
            text = render_text(scenario, variant, manifests_root, **_SAMPLE)
            source = str(manifests_root / (scenario.broken_template if variant == "broken"
                                           else scenario.solution_template))
            rendered[variant] = parse_objects(text, source)
        except CatalogError as error:
            found += error.problems
            continue
        found += _object_problems(scenario, variant, rendered[variant], source)
    if "broken" in rendered:
        found += _check_spoilers(scenario, manifests_root)
    if "solution" in rendered:
        names = {f"{obj['kind']}/{obj['metadata'].get('name')}" for obj in rendered["solution"]}
        for index, guard in enumerate(scenario.guards):
            if guard.object != "Pod" and guard.object not in names:
                found.append(f"{scenario.path}: spec.guards[{index}].object: {guard.object!r} is not "
                             f"rendered by the solution (it renders: {', '.join(sorted(names))})")
    return found


def _object_problems(scenario: Scenario, variant: str, objects: list[dict], source: str) -> list[str]:
    found = []
    workload = scenario.workload
    want_labels = placement.owner_labels("lab-3", scenario.key, _SAMPLE["participant"])
    for obj in objects:
        meta = obj["metadata"]
        name = f"{obj['kind']}/{meta.get('name')}"
        if meta.get("namespace") != _SAMPLE["namespace"]:
            found.append(f"{source}: {name}: metadata.namespace must be {{{{ namespace }}}}")
        labels = meta.get("labels") or {}
        if not ownership.is_owned(labels) or labels.get(ownership.SCENARIO_KEY) != scenario.key:
            found.append(f"{source}: {name}: metadata.labels must include the lab's labels "
                         f"({{{{ labels | yaml_map(4) }}}}); has {sorted(labels)}")
    matches = [o for o in objects if o["kind"] == workload.kind and o["metadata"].get("name") == workload.name]
    if not matches:
        found.append(f"{source}: no {workload.kind}/{workload.name} (spec.workload of {scenario.path})")
        return found
    template = (matches[0].get("spec") or {}).get("template") or {}
    pod_labels = (template.get("metadata") or {}).get("labels") or {}
    if pod_labels.get("app") != workload.name:
        found.append(f"{source}: {workload.kind}/{workload.name}: spec.template.metadata.labels needs "
                     f"app: {workload.name} (the suggested commands select the pod with it)")
    missing = {k for k, v in want_labels.items() if k != ownership.LAB_KEY and pod_labels.get(k) != v}
    if missing:
        found.append(f"{source}: {workload.kind}/{workload.name}: spec.template.metadata.labels lacks "
                     f"{', '.join(sorted(missing))}")
    containers = {c.get("name"): c for c in (template.get("spec") or {}).get("containers") or []}
    container = containers.get(workload.container)
    if container is None:
        found.append(f"{source}: {workload.kind}/{workload.name}: no container {workload.container!r}")
    elif container.get("imagePullPolicy") != "IfNotPresent":
        found.append(f"{source}: container {workload.container!r}: imagePullPolicy must be IfNotPresent "
                     "(so an image loaded with kind is used)")
    return found
