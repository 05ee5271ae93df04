"""selftest against the HTTP API emulator and the test kubelet: green, and red with the step named."""

import re
import shutil

import pytest

from runner import paths
from runner.catalog import load_catalog
from runner.selftest import Options, run_selftest
from tests.cli.helpers import run_cli

FAST = Options(stability_window=0.6, recheck=0.2, fix_grace=20)


def _lab_scenarios(root=None):
    catalog = load_catalog(root)
    return [catalog.scenarios[s] for s in catalog.labs["lab-3"].scenario_ids]


def test_every_scenario_is_green(k8s_api, kubelet):
    outcomes = run_selftest(k8s_api.connect, _lab_scenarios(), FAST)
    assert [o.failure_text() for o in outcomes if not o.ok] == []
    assert [o.scenario for o in outcomes] == list(load_catalog().labs["lab-3"].scenario_ids)
    for outcome in outcomes:
        assert outcome.time_to_symptom is not None and outcome.time_to_healthy is not None
        assert outcome.diagnosed == load_catalog().scenarios[outcome.scenario].cause
        assert outcome.steps_done[-1] == "clean up"
    names = [ns["metadata"]["name"] for ns in k8s_api.connect().list_owned_namespaces()]
    assert names == []  # cleaned up after itself


def test_selftest_cli_prints_the_table(k8s_api, kubelet):
    result = run_cli("selftest", "--lab", "lab-3", "--stability-window", "0.6",
                     "--context", k8s_api.context,
                     "--scenario", "oom-killed", "--scenario", "bad-command",
                     environ={**k8s_api.environ, "NO_COLOR": "1"})
    assert result.code == 0, result.stderr
    assert "oom-killed" in result.stdout and "bad-command" in result.stdout
    assert "ok" in result.stdout and "oom_killed" in result.stdout


@pytest.fixture
def broken_catalogue(tmp_path):
    """A copy of the catalogue whose bad-command solution is the broken manifest."""
    root = tmp_path / "home"
    for folder in ("labs", "scenarios", "manifests"):
        shutil.copytree(paths.project_root() / folder, root / folder)
    broken = root / "manifests" / "bad-command" / "broken.yaml.j2"
    shutil.copy(broken, root / "manifests" / "bad-command" / "solution.yaml.j2")
    return root


def test_a_solution_that_does_not_fix_is_red_with_the_step_named(k8s_api, kubelet,
                                                                  broken_catalogue, monkeypatch):
    monkeypatch.setenv("CRASHLAB_HOME", str(broken_catalogue))  # runner.paths reads the process env
    result = run_cli("selftest", "--scenario", "bad-command", "--scenario", "oom-killed",
                     "--stability-window", "0.6", "--fix-grace", "3", "--context", k8s_api.context,
                     environ={**k8s_api.environ, "CRASHLAB_HOME": str(broken_catalogue),
                              "NO_COLOR": "1"})
    assert result.code == 1
    assert "failed: wait for fix" in result.stdout
    assert "selftest bad-command: step 'wait for fix' failed" in result.stderr
    assert "Pod crashlab-selftest-storefront/" in result.stderr
    assert "got" in result.stderr and "want" in result.stderr  # the last mismatches
    assert "selftest failed: 1 of 2 scenario(s)" in result.stderr


def test_a_symptom_that_never_shows_is_red(k8s_api, kubelet, broken_catalogue):
    manifests = broken_catalogue / "manifests" / "oom-killed"
    # the solution as the broken manifest, without its comment (it names the fix, and the
    # catalogue refuses a broken manifest whose comments name the cause)
    solution = (manifests / "solution.yaml.j2").read_text()
    (manifests / "broken.yaml.j2").write_text(re.sub(r"\A(#.*\n)+", "", solution))
    scenario = next(s for s in _lab_scenarios(broken_catalogue) if s.id == "oom-killed")
    object.__setattr__(scenario.symptom, "within_seconds", 2)
    [outcome] = run_selftest(k8s_api.connect, [scenario], FAST)
    assert not outcome.ok and outcome.failed_step == "wait for symptom"
    assert any("restartCount" in line or "OOMKilled" in line for line in outcome.evidence), outcome.evidence
    assert outcome.steps_done == ["deploy broken", "clean up"]


def test_unknown_scenario_and_bad_participant_are_usage_errors(k8s_api):
    result = run_cli("selftest", "--scenario", "nope", environ=k8s_api.environ)
    assert result.code == 2 and "no scenario nope in lab-3" in result.stderr
    result = run_cli("selftest", "--participant", "Not OK", environ=k8s_api.environ)
    assert result.code == 2 and "--participant" in result.stderr


def test_every_lab_3_plus_scenario_is_green(k8s_api, kubelet):
    """`make selftest ARGS="--lab lab-3-plus"` on the emulator: the backend's pods
    (orders-store) are not taken for the service's (orders), a changed Secret restarts
    the workload, a fixed Service lets the next run connect."""
    catalog = load_catalog()
    scenarios = catalog.lab_scenarios("lab-3-plus")
    outcomes = run_selftest(k8s_api.connect, scenarios, FAST)
    assert [o.failure_text() for o in outcomes if not o.ok] == []
    assert [o.scenario for o in outcomes] == list(catalog.labs["lab-3-plus"].scenario_ids)
    for outcome in outcomes:
        assert outcome.diagnosed == catalog.scenarios[outcome.scenario].diagnosed_cause
