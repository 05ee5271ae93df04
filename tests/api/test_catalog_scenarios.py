"""Every catalogue scenario, applied through runner.cluster: broken shows its symptom, solution heals."""

import time

import pytest

from runner import placement
from runner.expect import check_symptom
from tests.harness.fixtures import main_status, wait_for_pod

catalog = pytest.importorskip("runner.catalog")
SCENARIOS = sorted(catalog.load_catalog().scenarios.values(), key=lambda s: s.id)
# The look-alike that never restarts: its symptom says restartCount 0.
NOT_RESTARTING = [s for s in SCENARIOS if s.cause == "readiness_probe"]
CRASH_LOOPING = [s for s in SCENARIOS if s not in NOT_RESTARTING]


def _deploy(k8s_api, scenario, variant):
    cluster = k8s_api.connect()
    namespace = placement.namespace_name("jane", scenario.slug)
    cluster.ensure_namespace(namespace, placement.owner_labels("lab-3", scenario.id, "jane"))
    objects = catalog.render_manifests(scenario, variant, namespace=namespace,
                                       image="crashlab/lab-app:0.1.0", participant="jane")
    cluster.apply(objects, namespace)
    return cluster, namespace


def _workload(scenario) -> str:
    return f"app={scenario.workload.name}"  # other pods (a backend) live in the namespace too


def _symptom_problems(cluster, namespace, scenario, pod):
    name = pod["metadata"]["name"]
    events = cluster.list_pod_events(namespace, name)
    logs = "\n".join(filter(None, (
        cluster.read_logs(namespace, name, scenario.workload.container, previous=True),
        cluster.read_logs(namespace, name, scenario.workload.container))))
    return [str(m) for m in check_symptom(scenario.symptom, pod, events, logs)]


@pytest.mark.parametrize("scenario", CRASH_LOOPING, ids=lambda s: s.id)
def test_broken_manifest_crash_loops(k8s_api, kubelet, scenario):
    cluster, namespace = _deploy(k8s_api, scenario, "broken")
    pod = wait_for_pod(cluster, namespace, lambda p: main_status(p).get("restartCount", 0) >= 2,
                       label_selector=_workload(scenario))
    assert main_status(pod)["lastState"]["terminated"]["reason"] in (
        "StartError", "OOMKilled", "Error", "Completed")
    assert _symptom_problems(cluster, namespace, scenario, pod) == []


@pytest.mark.parametrize("scenario", NOT_RESTARTING, ids=lambda s: s.id)
def test_broken_look_alike_shows_its_symptom_and_never_restarts(k8s_api, kubelet, scenario):
    cluster, namespace = _deploy(k8s_api, scenario, "broken")
    pod = wait_for_pod(cluster, namespace, lambda p: "running" in main_status(p).get("state", {}),
                       label_selector=_workload(scenario))
    deadline = time.monotonic() + 10
    while _symptom_problems(cluster, namespace, scenario, pod):  # events follow the status
        assert time.monotonic() < deadline, _symptom_problems(cluster, namespace, scenario, pod)
        time.sleep(0.1)
    for _, later in cluster.watch_pods(namespace, _workload(scenario), timeout=1.0):
        assert main_status(later).get("restartCount") == 0
        assert main_status(later).get("ready") is False
    assert pod["status"]["phase"] == "Running"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_solution_manifest_is_healthy(k8s_api, kubelet, scenario):
    cluster, namespace = _deploy(k8s_api, scenario, "solution")
    pod = wait_for_pod(cluster, namespace, lambda p: main_status(p).get("ready") is True,
                       label_selector=_workload(scenario))
    assert pod["status"]["phase"] == "Running"
    # stays healthy: no restart over what would be ~25 s on a real node
    for _, later in cluster.watch_pods(namespace, _workload(scenario), timeout=0.5):
        assert main_status(later).get("restartCount") == 0
