"""Status patch -> watch event latency, against a plain GET round trip in the same run."""

import queue
import threading

import pytest

from runner import placement
from tests.harness.fixtures import k8s_api  # noqa: F401

NS = "crashlab-bench-watch"


@pytest.fixture
def setup(k8s_api):  # noqa: F811
    cluster = k8s_api.connect()
    cluster.ensure_namespace(NS, placement.owner_labels("lab-3", "bench", "bench"))
    k8s_api.emulator.store.create("pods", NS, {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "app", "image": "crashlab/lab-app:0.1.0"}]}}, False)
    return cluster, k8s_api


def test_get_round_trip(benchmark, setup):
    cluster, _ = setup
    benchmark(cluster.get_pod, NS, "p")


def test_status_patch_to_watch_event(benchmark, setup):
    cluster, k8s_api = setup
    from runner.cluster import WatchStop

    events: queue.Queue = queue.Queue()
    stop = WatchStop()

    def follow():
        for _, pod in cluster.watch_pods(NS, timeout=120, stop=stop):
            events.put(pod)

    watcher = threading.Thread(target=follow, daemon=True)
    watcher.start()
    events.get(timeout=5)  # the initial ADDED
    counter = iter(range(10**9))

    def patch_and_wait():
        n = next(counter)
        cluster._request("PATCH",  # the test side plays kubelet: no lab operation does this f"/api/v1/namespaces/{NS}/pods/p/status",
                        body={"status": {"message": str(n)}},
                        content_type="application/merge-patch+json", doing="patching")
        while events.get(timeout=5)["status"].get("message") != str(n):
            pass

    benchmark(patch_and_wait)
    stop.set()
    watcher.join(timeout=5)
