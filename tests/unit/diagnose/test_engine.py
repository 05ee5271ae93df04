"""The flowchart's decisions on pod/event dicts, including the look-alikes."""

import pytest

from runner.diagnose import Diagnosis, diagnose
from tests.unit.diagnose.helpers import CRASHLOOP, container_status, event, pod

OOM = {"reason": "OOMKilled", "exitCode": 137, "finishedAt": "2025-01-01T10:00:00Z"}
KILLED_137 = {"reason": "Error", "exitCode": 137}


def test_oom_killed_with_limit_in_evidence():
    p = pod(container_status(state=CRASHLOOP, last=OOM, restarts=3),
            specs=[{"name": "app", "resources": {"limits": {"memory": "64Mi"}}}])
    result = diagnose(p, [event("BackOff", "Back-off restarting failed container app in pod web-0_lab(1)")])
    assert (result.cause, result.confidence) == ("oom_killed", "high")
    assert "spec.containers[app].resources.limits.memory = 64Mi" in result.evidence


def test_137_with_liveness_events_is_a_liveness_kill_not_oom():
    p = pod(container_status(state={"running": {}}, last=KILLED_137, restarts=2))
    events = [event("Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 404", count=9),
              event("Killing", "Container app failed liveness probe, will be restarted", type_="Normal")]
    result = diagnose(p, events)
    assert result.cause == "liveness_probe"
    assert result.confidence == "high"
    assert "event Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 404 (x9)" \
        in result.evidence


def test_137_with_events_but_no_probe_failures_is_a_medium_oom():
    p = pod(container_status(state=CRASHLOOP, last=KILLED_137, restarts=2))
    result = diagnose(p, [event("BackOff", "Back-off restarting failed container")])
    assert (result.cause, result.confidence) == ("oom_killed", "medium")


def test_137_without_events_is_a_low_guess_and_says_why():
    result = diagnose(pod(container_status(state=CRASHLOOP, last=KILLED_137, restarts=2)))
    assert result.confidence == "low"
    assert any("events tell an OOM kill from a liveness kill" in line for line in result.missing)


def test_oom_reason_wins_over_old_liveness_events():
    p = pod(container_status(state=CRASHLOOP, last=OOM, restarts=4))
    events = [event("Unhealthy", "Liveness probe failed: Get \"http://10.0.0.5:8080/\": EOF")]
    assert diagnose(p, events).cause == "oom_killed"


def test_startup_probe_kill_is_its_own_cause():
    # Was "counts as liveness" before issue #14 gave startup probes their own cause id.
    events = [event("Unhealthy", "Startup probe failed: HTTP probe failed with statuscode: 503"),
              event("Killing", "Container app failed startup probe, will be restarted", type_="Normal")]
    result = diagnose(None, events)
    assert (result.cause, result.confidence) == ("startup_probe", "high")
    assert "event Killing: Container app failed startup probe, will be restarted" in result.evidence


def test_readiness_failure_without_restarts():
    p = pod(container_status(state={"running": {}}, restarts=0, ready=False))
    result = diagnose(p, [event("Unhealthy", "Readiness probe failed: connection refused")])
    assert (result.cause, result.confidence) == ("readiness_probe", "high")


def test_readiness_failure_with_restarts_is_not_the_cause():
    p = pod(container_status(state=CRASHLOOP, last={"reason": "Error", "exitCode": 2}, restarts=5))
    result = diagnose(p, [event("Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 500")])
    assert result.cause == "app_config"
    assert result.confidence == "low"


def test_runcontainererror_waiting_is_bad_command():
    p = pod(container_status(state={"waiting": {"reason": "RunContainerError"}}, restarts=1))
    assert diagnose(p).cause == "bad_command"


def test_pre_cri_runcontainererror_only_in_events():
    message = ('Error syncing pod, skipping: failed to "StartContainer" for "store" with '
               'RunContainerError: "runContainer: API error (500): Cannot start container"')
    result = diagnose(None, [event("FailedSync", message)])
    assert result.cause == "bad_command"
    assert result.container == "store"


def test_exit_127_from_a_shell_is_a_medium_bad_command():
    p = pod(container_status(state=CRASHLOOP, last={"reason": "Error", "exitCode": 127}, restarts=3))
    assert (diagnose(p).cause, diagnose(p).confidence) == ("bad_command", "medium")


def test_completed_with_restarts_exits_zero():
    p = pod(container_status(state=CRASHLOOP, last={"reason": "Completed", "exitCode": 0}, restarts=4))
    assert (diagnose(p).cause, diagnose(p).confidence) == ("exits_zero", "high")


def test_completed_init_container_is_normal_and_app_container_is_judged():
    init = container_status("setup", state={"terminated": {"reason": "Completed", "exitCode": 0}}, ready=True)
    app = container_status(state=CRASHLOOP, last={"reason": "Error", "exitCode": 1}, restarts=2)
    result = diagnose(pod(app, init=[init]), previous_logs="Error: Permission denied: '/data'")
    assert (result.container, result.cause) == ("app", "permissions")


def test_init_crashloop_is_judged_before_waiting_app_container():
    init = container_status("migrate", state=CRASHLOOP, last={"reason": "Error", "exitCode": 1}, restarts=3)
    app = container_status(state={"waiting": {"reason": "PodInitializing"}})
    result = diagnose(pod(app, init=[init]), previous_logs="psql: could not connect to server: Connection refused")
    assert result.container == "migrate"
    assert result.cause == "app_config"
    assert "kubectl logs web-0 -n lab -c migrate --previous" in result.next
    assert any("initContainers[?(@.name==\"migrate\")]" in cmd for cmd in result.next)


def test_multi_container_events_are_attributed_by_field_path():
    healthy = container_status("proxy", state={"running": {}}, ready=True)
    failing = container_status("api", state={"running": {}}, last=KILLED_137, restarts=3)
    events = [event("Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 500",
                    container="api"),
              event("Unhealthy", "Readiness probe failed: x", container="proxy")]
    result = diagnose(pod(healthy, failing), events)
    assert (result.container, result.cause) == ("api", "liveness_probe")


def test_other_pods_events_are_ignored():
    p = pod(container_status(state=CRASHLOOP, last={"reason": "Completed", "exitCode": 0}, restarts=2))
    other = event("Killing", "Container app failed liveness probe, will be restarted", pod_name="other-pod")
    assert diagnose(p, [other]).cause == "exits_zero"


def test_events_k8s_io_shape_is_understood():
    new_style = {"type": "Warning", "reason": "Unhealthy", "note": "Liveness probe failed: timeout",
                 "series": {"count": 7}, "regarding": {"kind": "Pod", "name": "web-0", "namespace": "lab",
                                                      "fieldPath": "spec.containers{app}"}}
    kill = {"type": "Normal", "reason": "Killing", "note": "Container app failed liveness probe, will be restarted",
            "regarding": {"kind": "Pod", "name": "web-0"}, "deprecatedCount": 2}
    result = diagnose(None, [new_style, kill])
    assert result.cause == "liveness_probe"
    assert "event Unhealthy: Liveness probe failed: timeout (x7)" in result.evidence
    assert result.pod == "web-0"


@pytest.mark.parametrize("logs, cause", [
    ("BeanCreationException: Error creating bean with name 'repo'", "app_config"),
    ("Host terminated unexpectedly", "app_config"),
    ("line 3: API_KEY: unbound variable", "app_config"),
    ("dial tcp 10.0.0.9:5432: connect: connection refused", "app_config"),
    ("Error: EACCES: permission denied, open '/app/config.json'", "permissions"),
    ("OSError: [Errno 30] Read-only file system: '/app/tmp'", "permissions"),
    ("exec /usr/local/bin/start: exec format error", "bad_command"),
    ("everything is fine, listening on :8080", "unknown"),
])
def test_logs_alone_are_classified(logs, cause):
    result = diagnose(None, logs=logs)
    assert result.cause == cause
    assert "no pod status given (kubectl get pod <pod> -o yaml, or kubectl describe pod)" in result.missing


def test_previous_logs_are_preferred_and_labelled():
    result = diagnose(None, logs="INFO starting", previous_logs="FATAL mkdir /data: permission denied")
    assert result.evidence == ("logs --previous: FATAL mkdir /data: permission denied",)


def test_specific_setting_beats_generic_banner():
    logs = "APPLICATION FAILED TO START\nCould not resolve placeholder 'backend.url'"
    assert "backend.url" in diagnose(None, logs=logs).evidence[0]


def test_nothing_given_is_unknown_and_lists_what_is_missing():
    result = diagnose(None)
    assert (result.cause, result.confidence, result.evidence) == ("unknown", "low", ())
    assert len(result.missing) == 3


def test_odd_shapes_do_not_raise():
    for odd in ({}, {"status": None}, {"status": {"containerStatuses": "x"}},
                {"status": {"containerStatuses": [None, 3, {"state": "x", "lastState": []}]}}):
        assert diagnose(odd, events=[None, {}, {"reason": 5}]).cause == "unknown"


def test_to_dict_shape():
    p = pod(container_status(state=CRASHLOOP, last=OOM, restarts=1))
    data = diagnose(p).to_dict()
    assert {"cause", "confidence", "container", "evidence", "next", "missing"} <= set(data)
    assert data["cause"] == "oom_killed" and isinstance(data["evidence"], list)
    assert data["next"][0] == "kubectl describe pod web-0 -n lab"


def test_diagnosis_refuses_unknown_cause():
    with pytest.raises(ValueError):
        Diagnosis(cause="flaky", confidence="high")
