"""The container tier's checks on hand-made outcomes, without Docker."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.containers.outcome import (Outcome, ProbeResult, check_broken, check_solution, events,
                                      pod_view, terminated_state)

EXEC_ERROR = ('failed to create shim task: OCI runtime create failed: runc create failed: '
              'unable to start container process: exec: "start-app": executable file not '
              'found in $PATH: unknown')
RUNNING_FIXED = {"status": {"phase": "Running", "containerStatuses": [
    {"name": "app", "ready": True, "state": {"running": {"$exists": True}}}]}}


def _scenario(cause, terminated=None, logs=(), events_=()):
    statuses = [{"name": "app", "lastState": {"terminated": terminated}}] if terminated else []
    symptom = SimpleNamespace(pod={"status": {"containerStatuses": statuses}}, logs=logs,
                              events=events_)
    return SimpleNamespace(id="x", cause=cause, symptom=symptom,
                           workload=SimpleNamespace(container="app"),
                           fixed=SimpleNamespace(pod=RUNNING_FIXED, min_stable_seconds=10))


def _exited(code, logs="", oom=False):
    return Outcome("app", started=True, exit_code=code, oom_killed=oom, logs=logs,
                   window_seconds=10)


def _serving(*probes):
    return Outcome("app", started=True, running_after_window=True, window_seconds=10,
                   probes=list(probes))


def test_a_start_failure_reads_like_the_docker_era_kubelet():
    outcome = Outcome("app", started=False, exit_code=127, start_error=EXEC_ERROR)
    assert terminated_state(outcome) == {"reason": "ContainerCannotRun", "exitCode": 127,
                                         "message": EXEC_ERROR}
    assert [e["reason"] for e in events(outcome)] == ["Created", "Failed"]
    assert events(outcome)[-1]["message"] == f"Error: {EXEC_ERROR}"


@pytest.mark.parametrize("outcome, reason", [
    (_exited(137, oom=True), "OOMKilled"), (_exited(1), "Error"), (_exited(0), "Completed"),
])
def test_terminated_reason(outcome, reason):
    assert terminated_state(outcome)["reason"] == reason


def test_bad_command_check():
    scenario = _scenario("bad_command", {"reason": {"$in": ["StartError", "ContainerCannotRun"]},
                                         "message": {"$matches": 'exec: "start-app"'}})
    assert check_broken(scenario, Outcome("app", exit_code=127, start_error=EXEC_ERROR)) == []
    assert check_broken(scenario, _serving())[0].startswith("no exec failure observed")


def test_oom_check_names_what_happened_instead():
    scenario = _scenario("oom_killed", {"reason": "OOMKilled"})
    assert check_broken(scenario, _exited(137, oom=True)) == []
    problems = check_broken(scenario, _serving())
    assert problems[0] == "no OOM kill observed: the container still running after 10s"
    assert "lastState.terminated: got no termination (still running after 10s)" in problems


def test_startup_failure_checks_exit_code_and_symptom_logs():
    scenario = _scenario("permissions", {"exitCode": 1}, logs=("/var/lib/lab-app",))
    good = _exited(1, "mkdir /var/lib/lab-app/cache: Permission denied (errno 13)")
    assert check_broken(scenario, good) == []
    assert check_broken(scenario, _exited(1, "boom")) == [
        "no 'Permission denied' (EACCES/EROFS) in the logs",
        "logs: no line containing '/var/lib/lab-app'"]


def test_liveness_check_wants_a_failing_probe_on_a_healthy_app():
    scenario = _scenario("liveness_probe", events_=(
        {"reason": "Unhealthy", "message": {"$matches": "statuscode: 404"}},))
    healthz = ProbeResult("healthz", "/healthz", 8080, 200)
    failing = _serving(ProbeResult("liveness", "/health", 8080, 404), healthz)
    assert check_broken(scenario, failing) == []
    passing = _serving(ProbeResult("liveness", "/healthz", 8080, 200), healthz)
    assert check_broken(scenario, passing)[0].endswith("answered 200: it does not fail")


def test_solution_check():
    scenario = _scenario("oom_killed")
    healthy = _serving(ProbeResult("readiness", "/healthz", 8080, 200))
    assert check_solution(scenario, healthy) == []
    assert pod_view(healthy)["status"]["containerStatuses"][0]["ready"] is True
    problems = check_solution(scenario, _exited(137, oom=True))
    assert problems[:2] == [
        "the container was OOM-killed",
        "not running for the whole window: the container exited 137 (OOMKilled)"]
    assert any(p.startswith("status.phase: got Failed") for p in problems)
