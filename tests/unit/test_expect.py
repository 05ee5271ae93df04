"""The expectation matcher, guards and the stability window, on pods shaped like real ones."""

import copy
from pathlib import Path

import pytest

from runner.catalog import load_catalog, render_manifests
from runner.expect import (MISSING, Mismatch, Observation, check_guards, check_symptom, judge_fix,
                           lint_expectation, match, parse_quantity, stability_window)

CATALOG = load_catalog(Path(__file__).resolve().parents[2])


def test_partial_match_reports_field_got_and_want():
    found = match({"status": {"phase": "Running", "containerStatuses": [{"name": "app", "ready": True}]}},
                  {"status": {"phase": "Pending", "containerStatuses": [{"name": "app", "ready": False}]}})
    assert [str(m) for m in found] == ["status.phase: got Pending, want Running",
                                       "status.containerStatuses[app].ready: got False, want True"]


def test_missing_fields_and_named_items():
    assert [str(m) for m in match({"spec": {"containers": [{"name": "app"}]}}, {"spec": {}})] == [
        "spec.containers: got <missing>, want a list"]
    assert [str(m) for m in match({"env": [{"name": "X", "value": "1"}]}, {"env": [{"name": "Y"}]})] == [
        "env[X]: got <missing>, want present"]


@pytest.mark.parametrize("expected,actual,ok", [
    ({"$gte": 96}, "96", True), ({"$gte": 96}, "95", False), ({"$lte": "512Mi"}, "160Mi", True),
    ({"$lte": "512Mi"}, "1Gi", False), ({"$lte": "512Mi"}, "536870912", True), ({"$in": [137, 143]}, 143, True),
    ({"$in": [137, 143]}, 0, False), ({"$matches": "exec: \"x\""}, 'exec: "x": not found', True),
    ({"$ne": 0}, MISSING, True), ({"$ne": 0}, 0, False), ({"$exists": False}, MISSING, True),
    ({"$exists": True}, MISSING, False), ({"$eq": ["lab-app"]}, ["lab-app"], True),
    ({"$eq": ["lab-app"]}, ["lab-app", "-x"], False), ({"$anyOf": [{"$exists": False}, {"$lte": 60}]}, 61, False),
    ({"$anyOf": [{"$exists": False}, {"$lte": 60}]}, MISSING, True), ({"$gte": 1}, "lots", False),
])
def test_operators(expected, actual, ok):
    assert (match(expected, actual) == []) is ok


def test_quantities():
    assert parse_quantity("160Mi") == 160 * 2**20
    assert parse_quantity("0.5Gi") == 2**29
    assert parse_quantity("500m") == 0.5
    assert parse_quantity("1e3") == 1000
    assert parse_quantity("12 apples") is None
    assert parse_quantity(True) is None


def test_lint_finds_unknown_operators_and_bad_arguments():
    assert lint_expectation({"a": {"$is": 1}}) == [(".a.$is", lint_expectation({"$is": 1})[0][1])]
    assert lint_expectation({"$in": 3}) == [(".$in", "needs a list of values")]
    assert lint_expectation({"$matches": "("})[0][1].startswith("not a valid regular expression")
    assert lint_expectation({"$gte": "lots"}) == [(".$gte", "needs a number or quantity, got 'lots'")]
    assert lint_expectation({"a": 1, "$exists": True})[0][1] == "operator $exists must be the only key of its mapping"


# --- guards against real rendered specs --------------------------------------------------------------

def _pod(scenario_id, variant="solution", edit=None):
    """The pod a Deployment of the scenario would create (its template, as the API returns it)."""
    objects = render_manifests(CATALOG.scenario(scenario_id), variant, namespace="ns")
    deployment = next(o for o in objects if o["kind"] == "Deployment")
    pod = {"metadata": {"name": "p", "uid": "u1", **deployment["spec"]["template"]["metadata"]},
           "spec": copy.deepcopy(deployment["spec"]["template"]["spec"])}
    if edit:
        edit(pod["spec"]["containers"][0], pod["spec"])
    others = {f"{o['kind']}/{o['metadata']['name']}": o for o in objects if o["kind"] != "Deployment"}
    return pod, others


def _failed_guards(scenario_id, edit=None, objects_edit=None):
    pod, others = _pod(scenario_id, edit=edit)
    if objects_edit:
        objects_edit(others)
    results = check_guards(CATALOG.scenario(scenario_id).guards, {**others, "Pod": pod})
    return sorted(r.id for r in results if not r.ok)


@pytest.mark.parametrize("scenario_id", sorted(CATALOG.scenarios))
def test_every_guard_passes_on_the_reference_solution(scenario_id):
    assert _failed_guards(scenario_id) == []


FORBIDDEN_FIXES = [
    ("oom-killed", "limit removed", lambda c, s: c["resources"].pop("limits"), ["memory-limit-kept", "memory-limit-sized"]),
    ("oom-killed", "limit made huge", lambda c, s: c["resources"]["limits"].update(memory="8Gi"), ["memory-limit-sized"]),
    ("oom-killed", "working set shrunk", lambda c, s: c["env"][1].update(value="8"), ["working-set-kept"]),
    ("failing-liveness-probe", "probe removed", lambda c, s: c.pop("livenessProbe"), ["probe-kept", "probe-still-watching"]),
    ("failing-liveness-probe", "probe delayed for an hour", lambda c, s: c["livenessProbe"].update(initialDelaySeconds=3600), ["probe-still-watching"]),
    ("failing-liveness-probe", "exec probe that always passes", lambda c, s: c["livenessProbe"].update(httpGet=None, exec={"command": ["true"]}), ["probe-kept"]),
    ("invalid-user", "run as root", lambda c, s: s["securityContext"].update(runAsUser=0), ["still-non-root"]),
    ("invalid-user", "runAsNonRoot dropped", lambda c, s: s["securityContext"].pop("runAsNonRoot"), ["still-non-root"]),
    ("invalid-user", "container-level root", lambda c, s: c.update(securityContext={"runAsUser": 0}), ["still-non-root"]),
    ("invalid-user", "privileged", lambda c, s: c.update(securityContext={"privileged": True}), ["not-privileged"]),
    ("bad-command", "shell that sleeps", lambda c, s: c.update(command=["sh", "-c", "sleep infinity"]), ["runs-the-app"]),
    ("invalid-app-config", "wiring switched off", lambda c, s: c["env"].pop(1), ["still-wired"]),
]


@pytest.mark.parametrize("scenario_id,name,edit,failed", FORBIDDEN_FIXES, ids=[f[1] for f in FORBIDDEN_FIXES])
def test_each_forbidden_fix_is_caught(scenario_id, name, edit, failed):
    assert _failed_guards(scenario_id, edit=edit) == failed


def test_app_config_guard_reads_the_configmap():
    def break_config(objects):
        objects["ConfigMap/inventory-api"]["data"]["application.properties"] = "backend.url=\n"
    assert _failed_guards("invalid-app-config", objects_edit=break_config) == ["backend-configured"]
    assert _failed_guards("invalid-app-config", objects_edit=lambda o: o.clear()) == ["backend-configured"]


def test_valid_alternative_fixes_pass_the_guards():
    assert _failed_guards("bad-command", edit=lambda c, s: c.update(command=["lab-app"])) == []
    assert _failed_guards("invalid-user", edit=lambda c, s: s["securityContext"].pop("runAsUser")) == []
    assert _failed_guards("oom-killed", edit=lambda c, s: c["resources"]["limits"].update(memory="256Mi")) == []


# --- over time ---------------------------------------------------------------------------------------

def test_stability_window_covers_a_liveness_kill():
    pod, _ = _pod("failing-liveness-probe")
    assert stability_window(pod, "app", floor=10) == 5 + 5 * 3 + 1
    pod, _ = _pod("bad-command")
    assert stability_window(pod, "app", floor=10) == 10
    pod["spec"]["containers"][0]["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": 8080}}
    assert stability_window(pod, "app", floor=10) == 0 + 10 * 3 + 1  # kubelet defaults


def _status(pod, restarts, ready=True, running=True):
    pod = copy.deepcopy(pod)
    state = {"running": {"startedAt": "2026-11-25T10:00:00Z"}} if running else {
        "waiting": {"reason": "CrashLoopBackOff"}}
    pod["status"] = {"phase": "Running", "containerStatuses": [
        {"name": "app", "ready": ready, "restartCount": restarts, "state": state}]}
    return pod


def test_fixed_only_after_the_window_without_restarts():
    scenario = CATALOG.scenario("oom-killed")
    pod, _ = _pod("oom-killed")
    history = [Observation(0.0, _status(pod, 0, ready=False)), Observation(2.0, _status(pod, 0))]
    settling = judge_fix(scenario.fixed, scenario.guards, "app", history, now=10.0)
    assert settling.state == "settling" and settling.remaining_seconds == pytest.approx(7.0)
    fixed = judge_fix(scenario.fixed, scenario.guards, "app", history, now=17.0)
    assert fixed.fixed and fixed.window_seconds == 15 and fixed.pod_uid == "u1" and fixed.restarts == 0


def test_a_restart_inside_the_window_starts_it_again():
    scenario = CATALOG.scenario("oom-killed")
    pod, _ = _pod("oom-killed")
    history = [Observation(0.0, _status(pod, 0)), Observation(8.0, _status(pod, 1))]
    verdict = judge_fix(scenario.fixed, scenario.guards, "app", history, now=16.0)
    assert verdict.state == "settling" and verdict.remaining_seconds == pytest.approx(7.0)


def test_not_fixed_lists_mismatches_and_failed_guards():
    scenario = CATALOG.scenario("oom-killed")
    pod, _ = _pod("oom-killed", edit=lambda c, s: c["resources"].pop("limits"))
    verdict = judge_fix(scenario.fixed, scenario.guards, "app", [Observation(0, _status(pod, 3, False, False))], now=1)
    assert verdict.state == "not_fixed"
    assert [str(m) for m in verdict.mismatches] == [
        "status.containerStatuses[app].ready: got False, want True",
        "status.containerStatuses[app].state.running: got <missing>, want present"]
    assert [g.id for g in verdict.guards if not g.ok] == ["memory-limit-kept", "memory-limit-sized"]


def test_symptom_check_on_a_containerd_oom_kill():
    scenario = CATALOG.scenario("oom-killed")
    pod = {"status": {"containerStatuses": [{
        "name": "app", "restartCount": 2, "ready": False,
        "state": {"waiting": {"reason": "CrashLoopBackOff",
                              "message": "back-off 20s restarting failed container=app pod=p_ns(u1)"}},
        "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137,
                                     "startedAt": "2026-11-25T10:00:01Z", "finishedAt": "2026-11-25T10:00:02Z"}}}]}}
    assert check_symptom(scenario.symptom, pod, [], "") == []
    pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["reason"] = "Error"
    assert [str(m) for m in check_symptom(scenario.symptom, pod, [], "")] == [
        "status.containerStatuses[app].lastState.terminated.reason: got Error, want OOMKilled"]


def test_symptom_check_needs_the_events_and_log_lines():
    scenario = CATALOG.scenario("failing-liveness-probe")
    pod = {"status": {"containerStatuses": [{"name": "app", "restartCount": 1,
                                              "lastState": {"terminated": {"reason": "Error", "exitCode": 137}}}]}}
    events = [{"type": "Warning", "reason": "Unhealthy",
               "message": "Liveness probe failed: HTTP probe failed with statuscode: 404"}]
    found = [str(m) for m in check_symptom(scenario.symptom, pod, events, None)]
    assert found == ["events[1]: got <missing>, want an event with reason matching /failed liveness probe/"
                     .replace("reason matching", "reason Killing, message matching")]
    events.append({"type": "Normal", "reason": "Killing",
                   "message": "Container app failed liveness probe, will be restarted"})
    assert check_symptom(scenario.symptom, pod, events, None) == []
    app_config = CATALOG.scenario("invalid-app-config")
    assert [m.want for m in check_symptom(app_config.symptom, None, [], "boom")][:1] == ["a pod"]
    assert Mismatch("logs", MISSING, "x").got is MISSING
