"""The spoiler check: nothing shown or created before the quiz names the cause."""

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
import yaml

from runner import ownership
from runner import placement as lab_placements
from runner.catalog import load_catalog, render_manifest_text
from runner.catalog.model import CAUSE_WORDS, TEACHABLE
from runner.catalog.render import parse_objects, render_text
from runner.catalog.spoilers import (Placement, cause_words, find_cause_word, lab_placement,
                                     lab_spoiler_problems, neutral_placement, pre_quiz_texts,
                                     spoiler_problems)
from runner.errors import CatalogError
from tests.cli.helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT)
SCENARIOS = sorted(CATALOG.scenarios)


def _problems(scenario, placement):
    # rendered with the placement's namespace and labels, as the lab will create the objects
    text = render_text(scenario, "broken", ROOT / "manifests", namespace=placement.namespace,
                       image="crashlab/lab-app:0.1.0", participant="ada", labels=placement.labels)
    return spoiler_problems(scenario, placement, parse_objects(text, scenario.id), text)


def test_every_cause_has_words_and_the_words_match_at_a_word_start():
    assert set(CAUSE_WORDS) == set(TEACHABLE) and all(CAUSE_WORDS[cause] for cause in TEACHABLE)
    words = cause_words()
    assert find_cause_word("Last State: OOMKilled", words) == "oom"
    assert find_cause_word("a room with a view", words) is None  # 'oom' inside a word
    assert find_cause_word("crashlab-ada-failing-liveness-probe", words) == "liveness"


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_nothing_before_the_quiz_names_the_cause_with_the_neutral_placement(scenario_id):
    scenario = CATALOG.scenario(scenario_id)
    assert _problems(scenario, neutral_placement(scenario, "lab-3", "ada")) == []


def test_the_check_covers_header_story_commands_objects_comments_and_placement():
    scenario = CATALOG.scenario("oom-killed")
    placement = neutral_placement(scenario, "lab-3", "ada")
    text = render_manifest_text(scenario, "broken", namespace=placement.namespace)
    paths = [path for path, _ in pre_quiz_texts(scenario, placement, parse_objects(text, "x"), text)]
    for expected in ("title", "spec.story", "investigate[2]", "slug", "key", "placement.namespace",
                     "placement.workspaceFile", "placement.labels.crashlab.dev/scenario",
                     "spec.manifests.broken[Deployment/report-builder].metadata.name",
                     "spec.manifests.broken[Deployment/report-builder].spec.template.metadata.labels.app",
                     "spec.manifests.broken[Deployment/report-builder].spec.template.spec.containers[0].name",
                     "spec.manifests.broken:1 (comment)"):
        assert expected in paths


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_the_id_based_placement_of_today_is_caught(scenario_id):
    scenario = CATALOG.scenario(scenario_id)
    placement = Placement(namespace=lab_placements.namespace_name("ada", scenario.id),
                          labels=lab_placements.owner_labels("lab-3", scenario.id, "ada"),
                          workspace_file=f"{scenario.id}/{scenario.id}.yaml")
    paths = {path for path, _ in _problems(scenario, placement)}
    assert {"placement.namespace", "placement.workspaceFile",
            "placement.labels.crashlab.dev/scenario"} <= paths
    workload = f"spec.manifests.broken[Deployment/{scenario.workload.name}]"
    assert f"{workload}.metadata.labels.crashlab.dev/scenario" in paths
    assert f"{workload}.spec.template.metadata.labels.crashlab.dev/scenario" in paths


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_the_lab_places_scenarios_without_naming_the_cause(scenario_id):
    scenario = CATALOG.scenario(scenario_id)
    assert _problems(scenario, lab_placement(scenario, "lab-3", "ada")) == []


def test_slug_and_key_are_neutral_unique_dns_safe_and_stable():
    scenarios = list(CATALOG.scenarios.values())
    assert len({s.slug for s in scenarios}) == len({s.key for s in scenarios}) == len(scenarios)
    for scenario in scenarios:
        assert ownership.check_namespace(scenario.slug) is None and scenario.slug == scenario.workload.name
        assert re.fullmatch(r"s[0-9a-f]{10}", scenario.key)
        assert find_cause_word(f"{scenario.slug} {scenario.key}", cause_words(scenario)) is None
        # the key follows the service, not the id (which names the cause)
        assert dataclasses.replace(scenario, id="renamed").key == scenario.key
    assert load_catalog(ROOT).scenario("oom-killed").key == CATALOG.scenario("oom-killed").key


def test_the_header_is_a_number_and_the_service():
    assert CATALOG.scenario("oom-killed").title == "2 · report-builder"
    assert CATALOG.scenario("oom-killed").heading(7) == "7 · report-builder"
    assert CATALOG.scenario("oom-killed").sample_title == "Sample 2 - OOM killed"
    assert CATALOG.scenario("report-builder") is CATALOG.scenario("oom-killed")


def test_pre_quiz_commands_are_the_generic_flowchart_and_targeted_ones_come_after():
    for scenario in CATALOG.scenarios.values():
        name = scenario.workload.name
        assert scenario.investigate == (
            "kubectl get pods -n {namespace} -w",
            f"kubectl describe pod -n {{namespace}} -l app={name}",
            f"kubectl logs -n {{namespace}} deploy/{name} --previous",
            "kubectl get events -n {namespace} --sort-by=.lastTimestamp")
        assert scenario.targeted and scenario.kubectl == scenario.targeted
    assert any("jsonpath" in command for command in CATALOG.scenario("oom-killed").targeted)


def test_the_lab_intro_is_checked_too():
    lab = CATALOG.lab("lab-3")
    assert lab_spoiler_problems(lab) == []
    leaky = dataclasses.replace(lab, intro=lab.intro + "\nA reason such as OOMKilled.")
    [(path, message)] = lab_spoiler_problems(leaky)
    assert path == "spec.intro" and "'oom'" in message


@pytest.fixture
def catalog_copy(tmp_path):
    for folder in ("labs", "scenarios", "manifests"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def _load_problems(root):
    with pytest.raises(CatalogError) as raised:
        load_catalog(root)
    assert all("\n" not in problem for problem in raised.value.problems)
    return raised.value.problems


def test_a_story_that_says_what_was_changed_fails_validation_with_its_path(catalog_copy):
    path = catalog_copy / "scenarios" / "invalid-user.yaml"
    data = yaml.safe_load(path.read_text())
    data["spec"]["story"] = "The Deployment now has a securityContext with runAsUser: 1234."
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    problems = _load_problems(catalog_copy)
    assert any(p.startswith(f"{path}: spec.story: names the cause before the quiz ('") for p in problems)


def test_a_manifest_comment_or_object_name_that_leaks_fails_validation(catalog_copy):
    template = catalog_copy / "manifests" / "oom-killed" / "broken.yaml.j2"
    template.write_text("# Sample 2 - OOM killed: 48 MiB is too little\n" + template.read_text().replace(
        "  name: report-builder\n", "  name: report-builder\n  annotations:\n    note: tight limits\n", 1))
    problems = _load_problems(catalog_copy)
    scenario_file = catalog_copy / "scenarios" / "oom-killed.yaml"
    assert any(p.startswith(f"{scenario_file}: spec.manifests.broken:1 (comment): names the cause") for p in problems)
    assert any(p.startswith(f"{scenario_file}: spec.manifests.broken[Deployment/report-builder].metadata"
                            ".annotations.note: names the cause") for p in problems)


def test_crashlab_list_prints_no_cause_word():
    result = run_cli("list")
    assert result.code == 0
    assert find_cause_word(result.stdout, cause_words()) is None
    # the same grep as the before-stop hook
    assert not re.search(r"oom|killed|liveness|probe|permission|runasuser|bad.command|invalid",
                         result.stdout, re.I)


def test_a_written_record_that_names_a_cause_before_its_quiz_is_caught():
    import json

    from runner.catalog.spoilers import written_record_problems
    from runner.results import records

    lab = CATALOG.lab_scenarios("lab-3")
    rows = [(s.id, s.cause, f"crashlab-ada-{s.slug}") for s in lab]
    record = records.new_record("lab-3", "ada", rows)
    records.diagnosed(record["scenarios"][0])
    raw = written_record_problems(json.dumps(record), lab)
    assert [slug for slug, _ in raw] == [s.slug for s in lab[1:] for _ in (1, 2)]
    assert f"names {lab[1].id!r} before the quiz of {lab[1].slug}" in raw[0][1]
    assert written_record_problems(json.dumps(records.for_learner(record)), lab) == []
