from runner import steps
from runner.steps.events import Watching
from tests.unit.pods import oom_pod, running_pod
from tests.unit.steps.fakes import PLACEMENT, SCENARIO, FakeCluster, ScriptedTracker


def _pod(make, **kw):
    return make(name="web-7d4b9c8f6d-x2x9q" if make is oom_pod else "web-5c6d7e8f9a-abcde", **kw)


def _deployment(config="app-config", command=("lab-app",)):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"template": {"spec": {
                "containers": [{"name": "app", "command": list(command)}],
                "volumes": [{"name": "cfg", "configMap": {"name": config}}]}}}}


def _configmap(value):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app-config"},
            "data": {"backend.url": value}}


def test_run_hands_every_event_to_the_callback_and_returns_the_result():
    def step():
        yield Watching(None, "a")
        yield Watching(None, "b")
        return 42

    seen = []
    assert steps.run(step(), seen.append) == 42
    assert [e.note for e in seen] == ["a", "b"]


def test_deploy_keeps_a_workload_that_is_already_there():
    cluster = FakeCluster({("Deployment", "web"): _deployment()})
    assert steps.run(steps.deploy(cluster, PLACEMENT, [_deployment()])).fresh is False
    assert cluster.calls["apply"] == 0 and cluster.calls["ensure_namespace"] == 1
    empty = FakeCluster()
    assert steps.run(steps.deploy(empty, PLACEMENT, [_deployment()])).fresh is True
    assert empty.calls["apply"] == 1


def test_await_symptom_reads_events_and_logs_only_once_the_pod_part_shows():
    before = _pod(oom_pod, restarts=0)
    before["status"]["containerStatuses"][0]["lastState"] = {}
    tracker = ScriptedTracker([(0, before), (3, _pod(oom_pod, restarts=1))])
    cluster = FakeCluster(pods=tracker.pods)
    seen = steps.run(steps.await_symptom(cluster, tracker, PLACEMENT, SCENARIO.symptom))
    assert seen.shown and seen.pod["metadata"]["uid"] == "uid-1" and seen.logs
    assert seen.seconds == 3
    assert cluster.calls["list_pod_events"] == 1   # not while the pod part was missing


def test_await_symptom_times_out_with_the_last_mismatches():
    healthy = _pod(running_pod)
    tracker = ScriptedTracker([(0, healthy)])
    seen = steps.run(steps.await_symptom(FakeCluster(), tracker, PLACEMENT, SCENARIO.symptom))
    assert not seen.shown and seen.seconds >= SCENARIO.symptom.within_seconds
    assert any("restartCount" in line or "lastState" in line for line in seen.mismatches)


def test_apply_fix_restarts_when_a_configmap_the_workload_reads_changed():
    cluster = FakeCluster({("Deployment", "web"): {**_deployment(), "metadata": {
        "name": "web", "generation": 1}}, ("ConfigMap", "app-config"): _configmap("broken")})
    tracker = ScriptedTracker([(0, _pod(oom_pod))])
    applied = steps.apply_fix(cluster, tracker, PLACEMENT, [_deployment(), _configmap("postgres://db:5432/x")])
    assert applied.restarted == ["app-config"] and cluster.restarts == [(PLACEMENT.namespace,
                                                                         "Deployment", "web")]
    assert applied.replaced == {"uid-1"}   # the restart rolls the pods
    assert applied.objects == ["Deployment/web", "ConfigMap/app-config"]


def test_apply_fix_without_a_change_neither_restarts_nor_replaces_pods():
    cluster = FakeCluster({("Deployment", "web"): {**_deployment(), "metadata": {
        "name": "web", "generation": 1}}, ("ConfigMap", "app-config"): _configmap("same")})
    tracker = ScriptedTracker([(0, _pod(oom_pod))])
    applied = steps.apply_fix(cluster, tracker, PLACEMENT, [_deployment(), _configmap("same")])
    assert applied.restarted == [] and cluster.calls["restart_workload"] == 0
    assert applied.replaced == set()


def test_await_fix_waits_out_the_window_then_says_fixed():
    tracker = ScriptedTracker([(0, _pod(running_pod)), (1, _pod(running_pod))])
    events = []
    judged = steps.run(steps.await_fix(FakeCluster(pods=tracker.pods), tracker, PLACEMENT,
                                       SCENARIO, {"uid-1"}, timeout=60), events.append)
    assert judged.verdict.fixed and not judged.timed_out
    assert judged.seconds >= SCENARIO.fixed.min_stable_seconds   # the window, from the floor
    assert any("looks fixed" in e.note for e in events)


def test_await_fix_stops_once_a_pod_stays_broken_for_a_window_or_times_out():
    broken = _pod(oom_pod)
    tracker = ScriptedTracker([(0, broken)])
    judged = steps.run(steps.await_fix(FakeCluster(pods=tracker.pods), tracker, PLACEMENT,
                                       SCENARIO, timeout=60, stability_window=2))
    assert not judged.verdict.fixed and not judged.timed_out and judged.seconds < 60
    patient = steps.run(steps.await_fix(FakeCluster(), ScriptedTracker([(0, broken)]), PLACEMENT,
                                        SCENARIO, timeout=8, stability_window=2,
                                        stop_when_steadily_bad=False))
    assert patient.timed_out and not patient.verdict.fixed
    nothing = steps.run(steps.await_fix(FakeCluster(), ScriptedTracker([]), PLACEMENT, SCENARIO,
                                        timeout=3))
    assert nothing.timed_out and nothing.verdict is None
