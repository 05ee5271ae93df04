"""The test kubelet's timelines, read back through runner.cluster: status, events, logs.

Shapes follow ../shared/reference/pod-status-facts.md.
"""

import re

import pytest

from tests.api.manifests import LABELS, configmap, deployment, with_config
from tests.harness.fixtures import main_status, wait_for_pod

NS = "crashlab-jane-api-test"
POD_NAME = re.compile(r"^inventory-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$")


@pytest.fixture
def cluster(k8s_api, kubelet):
    cluster = k8s_api.connect()
    cluster.ensure_namespace(NS, LABELS)
    return cluster


def _restarted(times):
    return lambda pod: main_status(pod).get("restartCount", 0) >= times and \
        "waiting" in main_status(pod).get("state", {})


def _reasons(cluster, pod):
    return [(e["type"], e["reason"]) for e in cluster.list_pod_events(NS, pod["metadata"]["name"])]


def test_bad_command_is_a_start_error_with_failed_events_and_no_started(cluster):
    cluster.apply([deployment(command=["inventory-server"])], NS)
    pod = wait_for_pod(cluster, NS, _restarted(2))
    assert POD_NAME.match(pod["metadata"]["name"])
    status = main_status(pod)
    last = status["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"], last["startedAt"]) == ("StartError", 128,
                                                                    "1970-01-01T00:00:00Z")
    assert last["message"].endswith('exec: "inventory-server": executable file not found in '
                                    "$PATH: unknown")
    assert status["state"]["waiting"]["reason"] in ("CrashLoopBackOff", "RunContainerError")
    assert status["containerID"].startswith("containerd://")
    events = cluster.list_pod_events(NS, pod["metadata"]["name"])
    reasons = {e["reason"] for e in events}
    assert {"Scheduled", "Pulled", "Created", "Failed", "BackOff"} <= reasons
    assert "Started" not in reasons
    failed = next(e for e in events if e["reason"] == "Failed")
    assert failed["type"] == "Warning" and failed["message"] == "Error: " + last["message"]
    assert failed["count"] >= 2
    assert cluster.read_logs(NS, pod["metadata"]["name"], previous=True) == ""


def test_oom_kill_shows_only_generic_events(cluster):
    cluster.apply([deployment(env=[{"name": "APP_WORKING_SET_MB", "value": "256"}],
                              resources={"limits": {"memory": "128Mi"}})], NS)
    pod = wait_for_pod(cluster, NS, _restarted(2))
    last = main_status(pod)["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"]) == ("OOMKilled", 137)
    kinds = {reason for _, reason in _reasons(cluster, pod)}
    assert kinds == {"Scheduled", "Pulled", "Created", "Started", "BackOff"}
    back_off = next(e for e in cluster.list_pod_events(NS, pod["metadata"]["name"])
                    if e["reason"] == "BackOff")
    assert back_off["message"] == (f"Back-off restarting failed container app in pod "
                                   f"{pod['metadata']['name']}_{NS}({pod['metadata']['uid']})")


def test_bad_config_crashes_with_the_app_stack_trace_in_previous_logs(cluster):
    cluster.apply([configmap("inventory-config", "backend.url=postgres//db\n"),
                   with_config(deployment(), "inventory-config")], NS)
    pod = wait_for_pod(cluster, NS, _restarted(2))
    last = main_status(pod)["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"]) == ("Error", 1)
    previous = cluster.read_logs(NS, pod["metadata"]["name"], previous=True)
    assert "labkit.beans.BeanCreationError: Error creating bean with name " \
           "'inventoryRepository'" in previous
    assert "APPLICATION FAILED TO START" in previous
    assert 'File "/usr/local/bin/lab-app"' in previous
    assert cluster.read_logs(NS, pod["metadata"]["name"], tail_lines=2).count("\n") == 2


def test_wrong_run_as_user_logs_permission_denied(cluster):
    cluster.apply([deployment(securityContext={"runAsUser": 1000})], NS)
    pod = wait_for_pod(cluster, NS, _restarted(1))
    assert main_status(pod)["lastState"]["terminated"]["exitCode"] == 1
    log = cluster.read_logs(NS, pod["metadata"]["name"], previous=True)
    assert "mkdir /var/lib/lab-app/cache: Permission denied (errno 13)" in log


def test_failing_liveness_probe_is_unhealthy_then_killed(cluster):
    probe = {"httpGet": {"path": "/health", "port": 8080}, "periodSeconds": 5,
             "failureThreshold": 3}
    cluster.apply([deployment(livenessProbe=probe)], NS)
    pod = wait_for_pod(cluster, NS, _restarted(1))
    last = main_status(pod)["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"]) == ("Error", 137)
    events = cluster.list_pod_events(NS, pod["metadata"]["name"])
    unhealthy = next(e for e in events if e["reason"] == "Unhealthy")
    assert unhealthy["message"] == "Liveness probe failed: HTTP probe failed with statuscode: 404"
    assert unhealthy["count"] >= 3
    killing = next(e for e in events if e["reason"] == "Killing")
    assert killing["message"] == "Container app failed liveness probe, will be restarted"


def test_healthy_pod_runs_ready_with_normal_events_and_no_previous_log(cluster, k8s_api):
    cluster.apply([deployment()], NS)
    pod = wait_for_pod(cluster, NS, lambda p: main_status(p).get("ready") is True)
    status = main_status(pod)
    assert pod["status"]["phase"] == "Running" and status["restartCount"] == 0
    assert "running" in status["state"]
    messages = [(e["reason"], e["message"]) for e in
                cluster.list_pod_events(NS, pod["metadata"]["name"])]
    assert ("Created", "Created container: app") in messages
    assert ("Started", "Started container app") in messages
    assert cluster.read_logs(NS, pod["metadata"]["name"], previous=True) is None
    assert "listening on 0.0.0.0:8080" in cluster.read_logs(NS, pod["metadata"]["name"])
    dep = cluster.get_deployment(NS, "inventory")
    assert dep is not None
    assert cluster.get_pod(NS, "nope") is None


def test_fixing_the_template_replaces_the_pod(cluster):
    cluster.apply([deployment(command=["inventory-server"])], NS)
    broken = wait_for_pod(cluster, NS, _restarted(1))
    cluster.apply([deployment()], NS)
    fixed = wait_for_pod(cluster, NS, lambda p: main_status(p).get("ready") is True)
    assert fixed["metadata"]["name"] != broken["metadata"]["name"]
    assert fixed["metadata"]["labels"]["pod-template-hash"] != \
        broken["metadata"]["labels"]["pod-template-hash"]
    wait_for_pod(cluster, NS, lambda p: len(cluster.list_pods(NS)) == 1, timeout=5)
    assert [p["metadata"]["name"] for p in cluster.list_pods(NS)] == [fixed["metadata"]["name"]]


@pytest.mark.parametrize("message", [
    'container "app" in pod "{pod}" is terminated',
    'previous terminated container "app" in pod "{pod}" not found',
    'container "app" in pod "{pod}" is waiting to start: ContainerCreating',
])
def test_kubelets_no_log_answers_mean_no_earlier_logs(cluster, k8s_api, message):
    """kubelet's validateContainerLogStatus (kubernetes pkg/kubelet/kubelet_pods.go) refuses
    with 400 and one of these messages; each means "no log to show", not an API failure."""
    cluster.apply([deployment()], NS)
    pod = wait_for_pod(cluster, NS, lambda p: main_status(p).get("ready") is True)
    name = pod["metadata"]["name"]  # running and ready: the kubelet sets no log any more
    k8s_api.emulator.refuse_logs(NS, name, "app", message.format(pod=name))

    assert cluster.read_logs(NS, name, previous=True) is None
    assert cluster.read_logs(NS, name) is None
