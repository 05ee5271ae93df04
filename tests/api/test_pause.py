"""The emulator's pause(): a stalled API server, seen through the real `kubernetes` client.

While paused, open watches send nothing and keep their connection, new requests are held
without an answer; afterwards the held requests are answered and the watch sends what
changed meanwhile. The later fresh-evidence tests build on exactly this.
"""

import threading
import time

import pytest
from kubernetes import client, config, watch

from tests.harness.httpapi import HttpApi

NS = "crashlab-jane-pause"
PAUSE = 1.5  # seconds; long enough to tell "held" from "slow" on a busy 2-core machine


def _pod(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": NS, "labels": {"app": name}},
            "spec": {"containers": [{"name": "app", "image": "crashlab/lab-app:0.1.0"}]}}


def _set_phase(store, name: str, phase: str) -> None:
    store.update("pods", NS, name, lambda pod: {**pod, "status": {"phase": phase}},
                 subresource="status")


@pytest.fixture
def core(k8s_api):
    k8s_api.emulator.store.create("namespaces", "", {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}, False)
    k8s_api.emulator.store.create("pods", NS, _pod("web"), False)
    api_client = config.new_client_from_config(str(k8s_api.kubeconfig), k8s_api.context)
    yield client.CoreV1Api(api_client)
    api_client.close()


def _watch_in_background(core, seen: list, stop: threading.Event) -> threading.Thread:
    def follow():
        stream = watch.Watch()
        for event in stream.stream(core.list_namespaced_pod, NS, timeout_seconds=30):
            status = event["object"].status
            seen.append((time.monotonic(), event["type"], status.phase if status else None))
            if stop.is_set():
                stream.stop()

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    return thread


def _wait_until(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def test_a_watch_sees_nothing_while_paused_and_catches_up_after(k8s_api, core):
    emulator, seen, stop = k8s_api.emulator, [], threading.Event()
    thread = _watch_in_background(core, seen, stop)
    _wait_until(lambda: seen)  # the initial ADDED
    assert emulator.open_watches() == 1

    emulator.pause(PAUSE)
    paused_at = time.monotonic()
    _set_phase(emulator.store, "web", "Running")  # the cluster goes on meanwhile
    _set_phase(emulator.store, "web", "Failed")
    time.sleep(PAUSE - 0.3)
    assert emulator.paused and [kind for _, kind, _ in seen] == ["ADDED"], seen
    assert emulator.open_watches() == 1, "the connection is kept while paused"

    _wait_until(lambda: len(seen) >= 3)
    stop.set()
    _set_phase(emulator.store, "web", "Succeeded")  # one more event lets the stream stop
    assert not emulator.paused
    assert [(kind, phase) for _, kind, phase in seen[1:3]] == [("MODIFIED", "Running"),
                                                              ("MODIFIED", "Failed")]
    assert seen[1][0] - paused_at >= PAUSE - 0.05, "delivered only after the pause"
    thread.join(timeout=5)
    assert emulator.count("GET", f"/namespaces/{NS}/pods", watch=True) == 1, "no reconnect"


def test_a_get_is_held_until_resume(k8s_api, core):
    emulator, answer = k8s_api.emulator, {}
    emulator.pause()  # until resume()
    thread = threading.Thread(target=lambda: answer.update(
        pod=core.read_namespaced_pod("web", NS, _request_timeout=30)), daemon=True)
    thread.start()
    _wait_until(lambda: emulator.held_requests() == 1)
    time.sleep(PAUSE)
    assert thread.is_alive() and not answer, "no answer while paused"

    emulator.resume()
    thread.join(timeout=5)
    assert answer["pod"].metadata.name == "web"
    assert emulator.held_requests() == 0


def test_a_timed_pause_ends_by_itself(k8s_api, core):
    k8s_api.emulator.pause(PAUSE)
    started = time.monotonic()
    assert core.read_namespaced_pod("web", NS, _request_timeout=30).metadata.name == "web"
    assert time.monotonic() - started >= PAUSE - 0.05


def test_the_test_kubelet_writes_through_a_pause_unless_told_otherwise(k8s_api, core):
    emulator = k8s_api.emulator
    kubelet = HttpApi(k8s_api.url, emulator.token)
    path = f"/api/v1/namespaces/{NS}/pods/web/status"
    emulator.pause()
    kubelet.merge_patch(path, {"status": {"phase": "Running"}})  # answered at once
    assert emulator.store.get("pods", NS, "web")["status"]["phase"] == "Running"
    emulator.resume()

    emulator.pause(kubelet_too=True)  # a stopped server: nobody is answered
    thread = threading.Thread(target=kubelet.merge_patch,
                              args=(path, {"status": {"phase": "Failed"}}), daemon=True)
    thread.start()
    _wait_until(lambda: emulator.held_requests() == 1)
    assert emulator.store.get("pods", NS, "web")["status"]["phase"] == "Running"
    emulator.resume()
    thread.join(timeout=5)
    assert emulator.store.get("pods", NS, "web")["status"]["phase"] == "Failed"
