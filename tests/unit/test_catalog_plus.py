"""lab-3-plus: the seven scenarios beyond the workshop's samples, their causes and their quizzes."""

from pathlib import Path

import pytest

from runner.catalog import DIAGNOSED_AS, MORE_CAUSES, TEACHABLE, load_catalog, render_manifests
from runner.diagnose import CAUSES as DIAGNOSE_CAUSES
from runner.diagnose.logtext import find_log_clue

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog(ROOT)
PLUS = {"slow-start": "slow_start", "probe-timeout": "probe_timeout",
        "missing-credentials": "missing_credentials", "dependency-unreachable": "dependency_unreachable",
        "wrong-service-account": "service_account", "exits-zero": "exits_zero",
        "readiness-only": "readiness_probe"}


def test_lab_3_plus_lists_the_seven_in_order_with_their_causes():
    lab = CATALOG.lab("lab-3-plus")
    assert list(lab.scenario_ids) == list(PLUS)
    assert {sid: CATALOG.scenario(sid).cause for sid in lab.scenario_ids} == PLUS
    assert set(MORE_CAUSES) <= {CATALOG.scenario(sid).cause for sid in lab.scenario_ids}
    assert all(CATALOG.scenario(sid).sample is None for sid in lab.scenario_ids)


def test_every_teaching_cause_maps_to_a_cause_the_diagnose_engine_knows():
    assert {cause: DIAGNOSED_AS.get(cause, cause) in DIAGNOSE_CAUSES for cause in TEACHABLE} == \
        {cause: True for cause in TEACHABLE}
    assert CATALOG.scenario("slow-start").diagnosed_cause == "liveness_probe"
    assert CATALOG.scenario("probe-timeout").diagnosed_cause == "liveness_probe"
    assert CATALOG.scenario("missing-credentials").diagnosed_cause == "app_config"
    assert CATALOG.scenario("dependency-unreachable").diagnosed_cause == "app_config"
    assert CATALOG.scenario("wrong-service-account").diagnosed_cause == "permissions"
    assert CATALOG.scenario("exits-zero").diagnosed_cause == "exits_zero"


def test_the_right_choice_is_the_longest_in_at_most_a_third_of_the_questions():
    questions = [q for sid in PLUS for q in CATALOG.scenario(sid).questions]
    longest_right = [q.id for q in questions if max(q.choices, key=lambda c: len(c.text)).correct]
    assert len(longest_right) <= len(questions) // 3, longest_right


@pytest.mark.parametrize("scenario_id", list(PLUS))
def test_nothing_before_the_quiz_names_the_cause(scenario_id):
    scenario = CATALOG.scenario(scenario_id)
    words = ["credential", "password", "secret", "timeout", "time out", "unreachable", "selector",
             "endpoint", "service account", "serviceaccount", "rbac", "forbidden", "readiness",
             "slow", "warm", "exit", "one-shot", "oneshot", "probe", "liveness"]
    comments = [line for line in (ROOT / "manifests" / scenario.broken_template).read_text().splitlines()
                if line.lstrip().startswith("#")]
    objects = render_manifests(scenario, "broken", namespace="ns")
    names = [o["metadata"]["name"] for o in objects] + [scenario.workload.name, scenario.title]
    # scenario.investigate: the commands shown before the quiz (scenario.kubectl come after it)
    seen = {"title": scenario.title, "story": scenario.story, "kubectl": " ".join(scenario.investigate),
            "comments": " ".join(comments), "names": " ".join(names)}
    found = {where: word for where, text in seen.items() for word in words if word in text.lower()}
    assert found == {}


def _differences(left, right, path=""):
    if isinstance(left, dict) and isinstance(right, dict):
        return [d for key in sorted(set(left) | set(right), key=str)
                for d in _differences(left.get(key), right.get(key), f"{path}.{key}" if path else key)]
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return [d for i, (a, b) in enumerate(zip(left, right)) for d in _differences(a, b, f"{path}[{i}]")]
    return [] if left == right else [path]


WHERE_THE_CAUSE_LIVES = {
    "slow-start": ["Deployment/catalog.spec.template.spec.containers[0].startupProbe"],
    "probe-timeout": ["Deployment/pricing.spec.template.spec.containers[0].livenessProbe.timeoutSeconds",
                      "Deployment/pricing.spec.template.spec.containers[0].readinessProbe.timeoutSeconds"],
    "missing-credentials": ["Secret/billing-db.stringData.passwd", "Secret/billing-db.stringData.password"],
    "dependency-unreachable": ["Service/orders-store.spec.selector.app"],
    "wrong-service-account": ["Deployment/reports.spec.template.spec.serviceAccountName"],
    "exits-zero": ["Deployment/export.spec.template.spec.containers[0].env[1].value",
                   "Deployment/export.spec.template.spec.initContainers"],
    "readiness-only": ["Deployment/search.spec.template.spec.containers[0].readinessProbe.httpGet.path"],
}


@pytest.mark.parametrize("scenario_id", list(PLUS))
def test_broken_and_solution_differ_exactly_where_the_cause_lives(scenario_id):
    scenario = CATALOG.scenario(scenario_id)
    broken, solution = ({f"{o['kind']}/{o['metadata']['name']}": o
                         for o in render_manifests(scenario, v, namespace="ns")}
                        for v in ("broken", "solution"))
    assert broken.keys() == solution.keys()
    found = sorted(f"{key}.{path}" for key in broken for path in _differences(broken[key], solution[key]))
    assert found == WHERE_THE_CAUSE_LIVES[scenario_id]


def test_a_service_account_denial_in_the_logs_reads_as_permissions():
    line = ('2025-01-01T10:00:00.000Z FATAL cannot read settings: GET https://kubernetes.default.svc/api/v1/'
            'namespaces/shop/configmaps/x: 403 Forbidden: configmaps "x" is forbidden: User '
            '"system:serviceaccount:shop:default" cannot get resource "configmaps" in API group "" in the '
            'namespace "shop"')
    assert find_log_clue(line).cause == "permissions"
