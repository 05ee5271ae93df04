import datetime

from runner.session.podline import announced_backoff, next_retry_seconds, pod_line
from tests.unit.pods import creating_pod, oom_pod, running_pod, with_

NOW = datetime.datetime(2026, 11, 25, 10, 0, 51, tzinfo=datetime.timezone.utc)


def test_announced_backoff_reads_kubelets_waiting_message():
    assert announced_backoff("back-off 20s restarting failed container=app pod=x") == 20
    assert announced_backoff("back-off 5m0s restarting failed container=app pod=x") == 300
    assert announced_backoff("container is waiting") is None and announced_backoff(None) is None


def test_next_retry_is_last_finish_plus_backoff_minus_now():
    status = oom_pod()["status"]["containerStatuses"][0]   # finished 10:00:41, back-off 20s
    assert next_retry_seconds(status, NOW) == 10.0
    late = NOW + datetime.timedelta(minutes=1)
    assert next_retry_seconds(status, late) == 0.0
    assert next_retry_seconds(running_pod()["status"]["containerStatuses"][0], NOW) is None


def test_pod_line_for_each_state():
    assert pod_line(oom_pod(), "app", NOW) == ("web-7d4b9c8f6d-x2x9q  Running  CrashLoopBackOff  "
                                                "last: OOMKilled exit 137  restarts 2  next retry in 10s")
    assert pod_line(running_pod(), "app", NOW) == "web-5c6d7e8f9a-abcde  Running  Running, ready  restarts 0"
    assert "ContainerCreating" in pod_line(creating_pod(), "app", NOW)
    terminating = with_(running_pod(), deletionTimestamp="2026-11-25T10:06:00Z")
    assert pod_line(terminating, "app", NOW).endswith("terminating")


def test_before_the_quiz_the_line_leaves_reasons_and_exit_codes_to_the_learner():
    pod = {"metadata": {"name": "web-1"}, "status": {"phase": "Running", "containerStatuses": [{
        "name": "app", "restartCount": 3, "ready": False,
        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}}]}}
    line = pod_line(pod, "app", reasons=False)
    assert "OOMKilled" not in line and "137" not in line and "CrashLoopBackOff" not in line
    assert line.startswith("web-1  Running  waiting") and "restarts 3" in line
    assert "last: OOMKilled exit 137" in pod_line(pod, "app")
