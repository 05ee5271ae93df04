"""Every scenario loads, validates and renders; every way an author can break a file is reported."""

import shutil
from pathlib import Path

import pytest
import yaml

from runner import placement
from runner.catalog import CAUSES, load_catalog, render_manifests
from runner.errors import CatalogError
from runner.manifest_check import schema_problem

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT)
LAB_3 = ["bad-command", "oom-killed", "invalid-app-config", "invalid-user", "failing-liveness-probe"]
SCENARIOS = sorted(CATALOG.scenarios)


def test_lab_3_lists_the_five_workshop_samples_in_order():
    lab = CATALOG.lab("lab-3")
    assert list(lab.scenario_ids) == LAB_3
    assert [CATALOG.scenario(sid).sample for sid in LAB_3] == [1, 2, 3, 4, 5]
    assert sorted(CATALOG.scenario(sid).cause for sid in LAB_3) == sorted(CAUSES)
    assert "5 minutes" in lab.intro and "10 s" in lab.intro


@pytest.mark.parametrize("scenario_id", SCENARIOS)
@pytest.mark.parametrize("variant", ["broken", "solution"])
def test_every_rendered_object_is_valid_kubernetes_and_owned(scenario_id, variant):
    scenario = CATALOG.scenario(scenario_id)
    objects = render_manifests(scenario, variant, namespace="crashlab-ada-x", participant="ada")
    assert objects
    for obj in objects:
        assert schema_problem(obj) is None, f"{obj['kind']}/{obj['metadata']['name']}"
        assert obj["metadata"]["namespace"] == "crashlab-ada-x"
        assert obj["metadata"]["labels"] == placement.owner_labels("lab-3", scenario.key, "ada")
    workload = next(o for o in objects if o["kind"] == "Deployment")
    container = workload["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "crashlab/lab-app:0.1.0"
    assert container["imagePullPolicy"] == "IfNotPresent"
    selector = workload["spec"]["selector"]["matchLabels"]
    assert selector.items() <= workload["spec"]["template"]["metadata"]["labels"].items()


def _differences(left, right, path=""):
    if isinstance(left, dict) and isinstance(right, dict):
        found = []
        for key in sorted(set(left) | set(right), key=str):
            found += _differences(left.get(key), right.get(key), f"{path}.{key}" if path else key)
        return found
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return [d for i, (a, b) in enumerate(zip(left, right)) for d in _differences(a, b, f"{path}[{i}]")]
    return [] if left == right else [path]


WHERE_THE_CAUSE_LIVES = {
    "bad-command": ["Deployment.spec.template.spec.containers[0].command"],
    "oom-killed": ["Deployment.spec.template.spec.containers[0].resources.limits.memory",
                   "Deployment.spec.template.spec.containers[0].resources.requests.memory"],
    "invalid-app-config": ["ConfigMap.data.application.properties"],
    "invalid-user": ["Deployment.spec.template.spec.securityContext.runAsGroup",
                     "Deployment.spec.template.spec.securityContext.runAsUser"],
    "failing-liveness-probe": ["Deployment.spec.template.spec.containers[0].livenessProbe.httpGet.path",
                               "Deployment.spec.template.spec.containers[0].readinessProbe.httpGet.path"],
}


@pytest.mark.parametrize("scenario_id", LAB_3)
def test_broken_and_solution_differ_exactly_where_the_cause_lives(scenario_id):
    scenario = CATALOG.scenario(scenario_id)
    broken, solution = ({o["kind"]: o for o in render_manifests(scenario, v, namespace="ns")}
                        for v in ("broken", "solution"))
    assert broken.keys() == solution.keys()
    found = sorted(f"{kind}.{path}" for kind in broken for path in _differences(broken[kind], solution[kind]))
    assert found == WHERE_THE_CAUSE_LIVES[scenario_id]


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_quiz_offers_look_alikes_and_feedback_for_every_choice(scenario_id):
    scenario = CATALOG.scenario(scenario_id)
    cause = scenario.question("cause")
    assert cause.answer.id == scenario.cause
    assert len(cause.choices) >= 4
    assert all(choice.feedback for question in scenario.questions for choice in question.choices)
    assert len(scenario.question("evidence").choices) >= 3
    assert 2 <= len(scenario.hints) <= 3


# --- what an author sees for each mistake -----------------------------------------------------------

def _mutate(data, dotted, value):
    *parents, last = dotted.split(".")
    node = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is DELETE:
        del node[int(last) if last.isdigit() else last]
    else:
        node[int(last) if last.isdigit() else last] = value


DELETE = object()
MISTAKES = [
    ("missing field", "spec.story", DELETE, "oom-killed.yaml: spec.story: is required"),
    ("typo in a field name", "spec.hints", DELETE, "oom-killed.yaml: spec.hints: is required"),
    ("wrong version header", "apiVersion", "crashlab.dev/v9",
     "oom-killed.yaml: apiVersion: 'crashlab.dev/v9' is not one of: crashlab.dev/v1alpha1"),
    ("unknown cause", "spec.cause", "out_of_memory",
     "oom-killed.yaml: spec.cause: 'out_of_memory' is not one of: bad_command, oom_killed, app_config, "
     "permissions, liveness_probe"),
    ("choice that is not a cause", "spec.quiz.cause.choices.1.id", "gremlins",
     "oom-killed.yaml: spec.quiz.cause.choices[1].id: 'gremlins' is not a cause id"),
    ("two correct answers", "spec.quiz.evidence.choices.1.correct", True,
     "oom-killed.yaml: spec.quiz.evidence.choices: needs exactly one choice with correct: true, has 2"),
    ("wrong type", "spec.sample", "two", "oom-killed.yaml: spec.sample: must be a whole number, got a string"),
    ("too many hints", "spec.hints", ["a", "b", "c", "d"],
     "oom-killed.yaml: spec.hints: allows at most 3 item(s), has 4"),
    ("unknown operator", "spec.fixed.pod.status.phase", {"$is": "Running"},
     "oom-killed.yaml: spec.fixed.pod.status.phase.$is: unknown operator"),
    ("guard on an object that is not rendered", "spec.guards.0.object", "ConfigMap/nope",
     "oom-killed.yaml: spec.guards[0].object: 'ConfigMap/nope' is not rendered by the solution"),
    ("missing template", "spec.manifests.solution", "oom-killed/nope.yaml.j2",
     "oom-killed.yaml: spec.manifests.solution: template"),
    ("id not matching the file", "metadata.id", "oom",
     "oom-killed.yaml: metadata.id: 'oom' must match the file name 'oom-killed'"),
]


@pytest.fixture
def catalog_copy(tmp_path):
    for folder in ("labs", "scenarios", "manifests"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


@pytest.mark.parametrize("name,field,value,expected", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_each_mistake_is_reported_with_file_and_field(catalog_copy, name, field, value, expected):
    path = catalog_copy / "scenarios" / "oom-killed.yaml"
    data = yaml.safe_load(path.read_text())
    if name == "typo in a field name":
        data["spec"]["hint"] = data["spec"].pop("hints")
    else:
        _mutate(data, field, value)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(CatalogError) as raised:
        load_catalog(catalog_copy)
    assert any(expected in problem for problem in raised.value.problems), raised.value.problems
    assert all("\n" not in problem for problem in raised.value.problems)


def test_a_typo_gets_a_did_you_mean(catalog_copy):
    path = catalog_copy / "scenarios" / "oom-killed.yaml"
    path.write_text(path.read_text().replace("  hints:", "  hint:"))
    with pytest.raises(CatalogError) as raised:
        load_catalog(catalog_copy)
    assert f"{path}: spec.hint: unknown field; did you mean 'hints'?" in raised.value.problems


def test_every_problem_in_every_file_is_reported_at_once(catalog_copy):
    for name in ("oom-killed", "bad-command"):
        path = catalog_copy / "scenarios" / f"{name}.yaml"
        path.write_text(path.read_text().replace("  story:", "  storey:"))
    (catalog_copy / "labs" / "lab-3.yaml").write_text(
        (catalog_copy / "labs" / "lab-3.yaml").read_text().replace("- invalid-user", "- invalid-usr"))
    with pytest.raises(CatalogError) as raised:
        load_catalog(catalog_copy)
    text = "\n".join(raised.value.problems)
    assert text.count("spec.storey: unknown field") == 2
    assert "spec.scenarios[3]: no scenario 'invalid-usr'" in text


def test_invalid_yaml_names_the_line(catalog_copy):
    path = catalog_copy / "scenarios" / "oom-killed.yaml"
    path.write_text("apiVersion: [unclosed\n")
    with pytest.raises(CatalogError) as raised:
        load_catalog(catalog_copy)
    assert raised.value.problems[0].startswith(f"{path}:2: not valid YAML")


def test_a_template_that_drops_the_lab_labels_is_refused(catalog_copy):
    path = catalog_copy / "manifests" / "oom-killed" / "broken.yaml.j2"
    text = path.read_text().replace("  labels:\n{{ labels | yaml_map(4) }}\n", "", 1)
    path.write_text(text)
    with pytest.raises(CatalogError) as raised:
        load_catalog(catalog_copy)
    assert any("Deployment/report-builder: metadata.labels must include the lab's labels" in p
               for p in raised.value.problems)


def test_an_undefined_template_variable_is_an_error_not_an_empty_string(catalog_copy):
    path = catalog_copy / "manifests" / "oom-killed" / "broken.yaml.j2"
    path.write_text(path.read_text().replace("{{ image }}", "{{ imagee }}"))
    with pytest.raises(CatalogError) as raised:
        load_catalog(catalog_copy)
    assert any("'imagee' is undefined" in p for p in raised.value.problems)
