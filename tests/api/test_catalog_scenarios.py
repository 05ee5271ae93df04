"""Every catalogue scenario, applied through runner.cluster: broken crash-loops, solution heals."""

import pytest

from runner import placement
from tests.harness.fixtures import main_status, wait_for_pod

catalog = pytest.importorskip("runner.catalog")
SCENARIOS = sorted(catalog.load_catalog().scenarios.values(), key=lambda s: s.id)


def _deploy(k8s_api, scenario, variant):
    cluster = k8s_api.connect()
    namespace = placement.namespace_name("jane", scenario.id)
    cluster.ensure_namespace(namespace, placement.owner_labels("lab-3", scenario.id, "jane"))
    objects = catalog.render_manifests(scenario, variant, namespace=namespace,
                                       image="crashlab/lab-app:0.1.0", participant="jane")
    cluster.apply(objects, namespace)
    return cluster, namespace


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_broken_manifest_crash_loops(k8s_api, kubelet, scenario):
    cluster, namespace = _deploy(k8s_api, scenario, "broken")
    pod = wait_for_pod(cluster, namespace, lambda p: main_status(p).get("restartCount", 0) >= 2)
    assert main_status(pod)["lastState"]["terminated"]["reason"] in (
        "StartError", "OOMKilled", "Error")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_solution_manifest_is_healthy(k8s_api, kubelet, scenario):
    cluster, namespace = _deploy(k8s_api, scenario, "solution")
    pod = wait_for_pod(cluster, namespace, lambda p: main_status(p).get("ready") is True)
    assert pod["status"]["phase"] == "Running"
    # stays healthy: no restart over what would be ~25 s on a real node
    for _, later in cluster.watch_pods(namespace, timeout=0.5):
        assert main_status(later).get("restartCount") == 0
