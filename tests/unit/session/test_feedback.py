"""Feedback in the learner's words: what the new pod did, the guards' `says`, where to look.

Every feedback text of every scenario (its real guards failing on the broken manifest, its
fixed state judged on broken pods shaped as in ../shared/reference/pod-status-facts.md) is
scanned for matcher internals."""

import copy
import re

import pytest
import yaml

from runner.catalog import load_catalog, render_manifest_text
from runner.expect import GuardResult, Mismatch, Observation, Verdict, judge_fix
from runner.session import feedback, fixcheck
from tests.harness import applog
from tests.unit.pods import oom_pod, running_pod

CATALOG = load_catalog()
SCENARIOS = sorted(CATALOG.scenarios.values(), key=lambda s: s.id)

# matcher syntax, Python reprs and regex fragments that must never reach a learner
INTERNALS = re.compile(r"\$[a-zA-Z]|<missing>|want a (mapping|list|pod|running)|\bgot\b.*\bwant\b"
                       r"|\{'|'\}|\[\{|\(\?[a-z]|\\[sdwS]|\bNone\b|matching /")

# kubelet's prober: pkg/probe/http/http.go "HTTP probe failed with statuscode: %d";
# the event: pkg/kubelet/prober/prober.go "%s probe failed: %s" (reason Unhealthy)
LIVENESS_404 = {"type": "Warning", "reason": "Unhealthy",
                "message": "Liveness probe failed: HTTP probe failed with statuscode: 404"}
READINESS_404 = {"type": "Warning", "reason": "Unhealthy",
                 "message": "Readiness probe failed: HTTP probe failed with statuscode: 404"}

# the lab app's own log when its data directory is not writable (images/app, via the harness)
_PREVIOUS_LOG = applog.data_dir_denied("/var/lib/lab-app", 1234, False)


def _objects(scenario, variant="broken"):
    text = render_manifest_text(scenario, variant, namespace="crashlab-ada-x", participant="ada")
    return [doc for doc in yaml.safe_load_all(text) if doc]


def _workload(scenario, objects):
    return next(o for o in objects if o["kind"] == scenario.workload.kind)


def _broken_pods(scenario):
    """The broken template as pods in the states a crash loop shows (facts sections 1-5)."""
    spec = _workload(scenario, _objects(scenario))["spec"]["template"]["spec"]
    name = scenario.workload.container
    oom = oom_pod(restarts=2)
    error = copy.deepcopy(oom)
    error["status"]["containerStatuses"][0]["lastState"]["terminated"].update(
        reason="Error", exitCode=1)
    unready = running_pod(restarts=3)
    unready["status"]["containerStatuses"][0]["ready"] = False
    pods = []
    for pod in (oom, error, unready):
        pod = copy.deepcopy(pod)
        pod["spec"] = copy.deepcopy(spec)
        pod["status"]["containerStatuses"][0]["name"] = name
        pods.append(pod)
    return pods


def _texts(scenario):
    objects = _objects(scenario)
    workload = _workload(scenario, objects)
    guard_objects = {f"{o['kind']}/{o['metadata']['name']}": o for o in objects}
    failing = [GuardResult(g.id, g.says, g.object, (Mismatch("spec", None, "x"),))
               for g in scenario.guards]
    yield "guards", feedback.guard_words(failing)
    yield "manifest", feedback.guard_words(fixcheck.manifest_guard_failures(
        scenario.guards, objects, workload["kind"], workload["metadata"]["name"]))
    for pod in _broken_pods(scenario):
        verdict = judge_fix(scenario.fixed, scenario.guards, scenario.workload.container,
                            [Observation(0.0, pod)], 100.0, guard_objects, 1)
        for events in ([], [LIVENESS_404], [READINESS_404]):
            yield "pod", feedback.not_fixed_lines(verdict, pod, scenario.workload.container,
                                                  events, "OOMKilled", _PREVIOUS_LOG)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_no_matcher_internals_in_any_feedback(scenario):
    for what, lines in _texts(scenario):
        assert lines or what == "manifest", what
        assert len(lines) == len(set(lines)), f"repeated lines: {lines}"
        for line in lines:
            assert not INTERNALS.search(line), f"{scenario.id} {what}: {line}"


def test_the_new_pod_in_words():
    pod = oom_pod(restarts=2)
    pod["spec"]["containers"][0]["resources"] = {"limits": {"memory": "100Mi"}}
    assert feedback.pod_words(pod, "app", [], before="OOMKilled")[0] == \
        "the new pod was OOMKilled again at 100Mi (exit 137, restart 2)"
    ready = running_pod(restarts=0)
    ready["status"]["containerStatuses"][0]["ready"] = False
    ready["spec"]["containers"][0].update(
        livenessProbe={"httpGet": {"path": "/healthz", "port": 8080}},
        readinessProbe={"httpGet": {"path": "/health", "port": 8080}})
    assert feedback.pod_words(ready, "app", [READINESS_404]) == [
        "the liveness probe passes now, but the readiness probe still gets 404 on /health"]
    assert feedback.pod_words(ready, "app", [LIVENESS_404])[0] == \
        "the liveness probe still gets 404 on /healthz"


def test_the_error_the_new_pods_last_run_logged():
    pod = copy.deepcopy(oom_pod(restarts=2))
    pod["status"]["containerStatuses"][0]["lastState"]["terminated"].update(reason="Error",
                                                                            exitCode=1)
    lines = feedback.not_fixed_lines(Verdict("not_fixed", [Mismatch("x", 1, 2)]), pod, "app",
                                     [], "Error", _PREVIOUS_LOG)
    assert lines[0] == "the new pod stopped again with Error (exit 1, restart 2)"
    assert lines[1].startswith("its last run logged: ")
    assert lines[1].endswith("mkdir /var/lib/lab-app/cache: Permission denied (errno 13); "
                             "running as uid 1234, the directory belongs to uid 10001 (mode 0700)")


def test_not_fixed_says_the_guard_in_the_scenarios_words_once():
    verdict = Verdict("not_fixed", guards=[
        GuardResult("a", "keep a memory limit", "Pod", (Mismatch("spec.x", None, "present"),)),
        GuardResult("b", "keep a memory limit", "Pod", (Mismatch("spec.y", None, "present"),))])
    assert feedback.not_fixed_lines(verdict, running_pod(), "app") == \
        ["not allowed: keep a memory limit"]


def test_manifest_alone_proves_a_guard_broken():
    scenario = CATALOG.scenario("oom-killed")
    objects = _objects(scenario, "solution")
    workload = _workload(scenario, objects)
    assert fixcheck.manifest_guard_failures(scenario.guards, objects, "Deployment",
                                            workload["metadata"]["name"]) == []
    del workload["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
    failed = fixcheck.manifest_guard_failures(scenario.guards, objects, "Deployment",
                                              workload["metadata"]["name"])
    assert [r.id for r in failed] == ["memory-limit-kept", "memory-limit-sized"]


def test_where_to_look_lists_fields_and_values_never_the_cause():
    events = [{"type": "Warning", "reason": "BackOff", "message": "Back-off restarting failed "
               "container app in pod web-7d4b9c8f6d-x2x9q_crashlab-ada-oom-killed(uid-1)"}]
    lines = feedback.where_to_look(oom_pod(restarts=2), "app", events, "allocating\n")
    assert lines == [
        "State (kubectl describe pod): Waiting, Reason CrashLoopBackOff",
        "Last State (kubectl describe pod): Terminated, Reason OOMKilled, Exit Code 137",
        "Restart Count: 2",
        "Events' reasons (kubectl get events): BackOff",
        "Previous logs (kubectl logs --previous): there are some: read the last lines"]
    from runner.diagnose.model import SUMMARIES
    text = "\n".join(lines).lower()
    assert not any(summary.lower() in text for summary in SUMMARIES.values())
    assert "oom_killed" not in text and "cause" not in text


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_no_reference_solution_is_refused_on_its_manifest(scenario):
    objects = _objects(scenario, "solution")
    workload = _workload(scenario, objects)
    assert fixcheck.manifest_guard_failures(scenario.guards, objects, workload["kind"],
                                            workload["metadata"]["name"]) == []
