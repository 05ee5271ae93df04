"""watch_pods: one long watch per namespace, fast, and recovering from 410 Gone and drops."""

import threading
import time

import pytest

from runner.errors import ClusterError
from tests.api.manifests import LABELS, deployment
from tests.harness.fixtures import main_status

NS = "crashlab-jane-api-test"


def _pod(name: str, namespace: str = NS) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
            "spec": {"containers": [{"name": "app", "image": "crashlab/lab-app:0.1.0"}]}}


def _set_phase(k8s_api, name, phase, namespace=NS):
    k8s_api.emulator.store.update("pods", namespace, name,
                                  lambda pod: {**pod, "status": {"phase": phase}},
                                  subresource="status")


@pytest.fixture
def cluster(k8s_api):
    cluster = k8s_api.connect()
    cluster.ensure_namespace(NS, LABELS)
    return cluster


def test_watch_sees_a_played_crash_loop_within_a_second(cluster, k8s_api, kubelet):
    cluster.apply([deployment(command=["inventory-server"])], NS)
    store = k8s_api.emulator.store
    for kind, pod in cluster.watch_pods(NS, timeout=10):
        waiting = main_status(pod).get("state", {}).get("waiting", {})
        if waiting.get("reason") == "CrashLoopBackOff":
            latency = time.monotonic() - store.recorded_at[int(pod["metadata"]["resourceVersion"])]
            break
    else:
        pytest.fail("no CrashLoopBackOff seen")
    assert kind == "MODIFIED"
    assert latency < 1.0, f"watch event arrived {latency:.3f}s after the status write"
    assert waiting["message"].startswith("back-off 10s restarting failed container=app pod=")
    # one list, then watches; no polling loop
    assert k8s_api.emulator.count("GET", f"/namespaces/{NS}/pods", watch=False) == 1
    assert k8s_api.emulator.count("GET", f"/namespaces/{NS}/pods", watch=True) == 1


def test_watch_starts_with_the_existing_pods_then_changes(cluster, k8s_api):
    k8s_api.emulator.store.create("pods", NS, _pod("a"), False)
    events = cluster.watch_pods(NS, timeout=5)
    assert [(k, p["metadata"]["name"]) for k, p in [next(events)]] == [("ADDED", "a")]
    threading.Timer(0.1, _set_phase, (k8s_api, "a", "Running")).start()
    kind, pod = next(events)
    assert (kind, pod["status"]["phase"]) == ("MODIFIED", "Running")


def test_watch_relists_after_410_gone_and_reports_what_changed(cluster, k8s_api):
    store = k8s_api.emulator.store
    store.create("pods", NS, _pod("a"), False)
    store.create("pods", NS, _pod("b"), False)
    events = cluster.watch_pods(NS, timeout=10)
    assert {next(events)[1]["metadata"]["name"] for _ in range(2)} == {"a", "b"}

    def while_gone():
        k8s_api.emulator.expire_watches()  # open watch gets ERROR 410, history is compacted
        _set_phase(k8s_api, "a", "Failed")
        store.delete("pods", NS, "b")
        store.create("pods", NS, _pod("c"), False)
        store.compact()  # and the rewatch from the old resourceVersion gets 410 too

    threading.Timer(0.2, while_gone).start()
    seen = {}
    for kind, pod in events:
        seen[pod["metadata"]["name"]] = kind
        if len(seen) == 3:
            break
    assert seen == {"a": "MODIFIED", "b": "DELETED", "c": "ADDED"}
    assert k8s_api.emulator.count("GET", f"/namespaces/{NS}/pods", watch=False) == 2


def test_watch_resumes_after_a_dropped_connection_without_relisting(cluster, k8s_api):
    k8s_api.emulator.store.create("pods", NS, _pod("a"), False)
    events = cluster.watch_pods(NS, timeout=10)
    next(events)

    def drop_then_change():
        while k8s_api.emulator.open_watches() == 0:
            time.sleep(0.01)
        k8s_api.emulator.drop_watches()
        _set_phase(k8s_api, "a", "Running")  # happens while no watch is open

    threading.Thread(target=drop_then_change).start()
    kind, pod = next(events)
    assert (kind, pod["status"]["phase"]) == ("MODIFIED", "Running")
    assert k8s_api.emulator.count("GET", f"/namespaces/{NS}/pods", watch=True) == 2
    assert k8s_api.emulator.count("GET", f"/namespaces/{NS}/pods", watch=False) == 1


def test_watch_rewatches_when_the_server_ends_the_stream(cluster, k8s_api, monkeypatch):
    from runner.cluster import _watch

    monkeypatch.setattr(_watch, "WATCH_WINDOW", 1)  # server-side timeoutSeconds=1
    k8s_api.emulator.store.create("pods", NS, _pod("a"), False)
    events = cluster.watch_pods(NS, timeout=10)
    next(events)
    threading.Timer(1.5, _set_phase, (k8s_api, "a", "Running")).start()
    assert next(events)[1]["status"]["phase"] == "Running"
    assert k8s_api.emulator.count("GET", f"/namespaces/{NS}/pods", watch=True) == 2


def test_watch_ends_at_its_timeout(cluster, k8s_api):
    started = time.monotonic()
    assert list(cluster.watch_pods(NS, timeout=0.5)) == []
    assert 0.4 < time.monotonic() - started < 1.5


def test_watch_filters_by_label_selector(cluster, k8s_api):
    store = k8s_api.emulator.store
    store.create("pods", NS, _pod("a"), False)
    store.create("pods", NS, _pod("b"), False)
    names = [p["metadata"]["name"] for _, p in cluster.watch_pods(NS, "app=b", timeout=0.3)]
    assert names == ["b"]


def test_watch_gives_up_with_a_cluster_error_when_the_server_is_gone(cluster, k8s_api,
                                                                    monkeypatch):
    from runner.cluster import _watch

    monkeypatch.setattr(_watch, "MAX_FAILURES", 2)
    events = cluster.watch_pods(NS, timeout=20)
    threading.Timer(0.2, k8s_api.server.close).start()
    with pytest.raises(ClusterError, match=r"^cannot reach the Kubernetes API at .* \(context "
                       r"kind-crashlab-test\): connection refused"):
        list(events)


def test_pod_watcher_follows_five_namespaces_with_one_watch_each(cluster, k8s_api):
    namespaces = [f"crashlab-jane-s{i}" for i in range(5)]
    for ns in namespaces:
        cluster.ensure_namespace(ns, LABELS)
        k8s_api.emulator.store.create("pods", ns, _pod("app", ns), False)
    with cluster.watch_pods_many(namespaces, timeout=10) as watcher:
        initial = {watcher.next_event(timeout=5)[0] for _ in namespaces}
        assert initial == set(namespaces)
        for ns in namespaces:
            _set_phase(k8s_api, "app", "Running", ns)
        changed = {watcher.next_event(timeout=5)[0] for _ in namespaces}
        assert changed == set(namespaces)
        assert watcher.next_event(timeout=0.2) is None
        assert k8s_api.emulator.open_watches() == 5
    started = time.monotonic()
    while k8s_api.emulator.open_watches() and time.monotonic() - started < 3:
        time.sleep(0.02)
    assert k8s_api.emulator.open_watches() == 0  # close() cut the streams
    assert k8s_api.emulator.count(path="/pods", watch=True) == 5
