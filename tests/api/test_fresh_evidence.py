"""Fresh evidence through the real client: the emulator stalls (Emulator.pause: no events,
connections held) for 15 s inside a stability window; the step must not verify until it has
seen a full window of fresh evidence after the API is back, and a fix that crashes during the
stall is not verified."""

import threading
import time

import pytest

from runner import steps
from runner.cluster import PodTracker
from runner.steps import fresh
from tests.unit.steps.fakes import PLACEMENT, SCENARIO

NS = PLACEMENT.namespace
POD = "web-5c6d7e8f9a-abcde"
PAUSE = 15.0    # the Done-when: a 15 s stall inside the window
WINDOW = 3
CONTAINER_ID = "containerd://" + "a1" * 32


def _running_status(restarts: int = 0) -> dict:
    # pod-status-facts.md: a healthy container is running, ready, with its containerID
    return {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{
                "name": "app", "ready": True, "restartCount": restarts, "started": True,
                "image": "crashlab/lab-app:0.1.0", "containerID": CONTAINER_ID,
                "state": {"running": {"startedAt": "2026-11-25T10:05:03Z"}}, "lastState": {}}]}


def _crashed_status() -> dict:
    # pod-status-facts.md section 2: OOMKilled, exit 137, now backing off
    return {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [{
                "name": "app", "ready": False, "restartCount": 1, "started": False,
                "image": "crashlab/lab-app:0.1.0", "containerID": CONTAINER_ID,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": (
                    f"back-off 10s restarting failed container=app pod={POD}_{NS}(uid)")}},
                "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137,
                                             "startedAt": "2026-11-25T10:05:03Z",
                                             "finishedAt": "2026-11-25T10:05:09Z",
                                             "containerID": CONTAINER_ID}}}]}


def _set_status(store, status: dict) -> None:
    store.update("pods", NS, POD, lambda pod: {**pod, "status": status}, subresource="status")


@pytest.fixture
def healthy(k8s_api):
    store = k8s_api.emulator.store
    store.create("namespaces", "", {"apiVersion": "v1", "kind": "Namespace",
                                    "metadata": {"name": NS}}, False)
    store.create("pods", NS, {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": POD, "namespace": NS, "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "app", "image": "crashlab/lab-app:0.1.0"}]}}, False)
    _set_status(store, _running_status())
    cluster = k8s_api.connect()
    tracker = PodTracker(cluster.watch_pods_many([NS]))
    yield cluster, tracker
    tracker.close()


def _pause_soon(emulator, after: float, during=None) -> dict:
    """Pause the emulator `after` s from now for PAUSE s; `during()` runs while it is paused."""
    times = {}

    def stall():
        time.sleep(after)
        emulator.pause()
        times["paused"] = time.monotonic()
        if during is not None:
            time.sleep(1.0)
            during()
        time.sleep(PAUSE - (1.0 if during is not None else 0.0))
        times["resumed"] = time.monotonic()
        emulator.resume()

    threading.Thread(target=stall, daemon=True).start()
    return times


def test_a_15s_stall_inside_the_window_is_not_counted(k8s_api, healthy):
    cluster, tracker = healthy
    k8s_api.emulator.bookmark_seconds = 0.5   # a quiet watch proves itself current meanwhile
    times = _pause_soon(k8s_api.emulator, after=1.0)
    notes = []
    judged = steps.run(steps.await_fix(cluster, tracker, PLACEMENT, SCENARIO, timeout=90,
                                       stability_window=WINDOW),
                       lambda event: notes.append((time.monotonic(), event.note)))
    done = time.monotonic()
    assert judged.verdict.fixed and judged.verdict.restarts == 0
    assert "resumed" in times, f"verified during the stall after {judged.seconds:.1f}s"
    assert done - times["resumed"] >= WINDOW, "a full window of fresh evidence after the stall"
    waiting = [at for at, note in notes if note == fresh.WAITING]
    assert waiting and times["paused"] < waiting[0] < times["resumed"], \
        "the stall was shown while it lasted"
    assert not any(note.startswith("looks fixed") for at, note in notes
                   if times["paused"] + fresh.STALL_SECONDS + 1 < at < times["resumed"])
    assert k8s_api.emulator.count("GET", f"/namespaces/{NS}/pods", watch=False) >= 2, \
        "the verdict was confirmed by a fresh list"


def test_a_fix_that_crashes_during_the_stall_is_not_verified(k8s_api, healthy):
    cluster, tracker = healthy
    store = k8s_api.emulator.store
    times = _pause_soon(k8s_api.emulator, after=1.0,
                        during=lambda: _set_status(store, _crashed_status()))
    judged = steps.run(steps.await_fix(cluster, tracker, PLACEMENT, SCENARIO, timeout=90,
                                       stability_window=WINDOW))
    assert "resumed" in times, f"judged during the stall after {judged.seconds:.1f}s"
    assert not judged.verdict.fixed and judged.verdict.restarts == 1
    assert judged.pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == \
        "CrashLoopBackOff"


def test_bookmarks_keep_a_quiet_watch_current(k8s_api, healthy):
    cluster, tracker = healthy
    k8s_api.emulator.bookmark_seconds = 0.2
    deadline = time.monotonic() + 5
    while tracker.heard(NS) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    first = tracker.heard(NS)
    time.sleep(0.8)   # nothing changes meanwhile: only bookmarks arrive
    assert tracker.heard(NS) > first
    assert len(tracker.history(tracker.newest(NS, "web-")["metadata"]["uid"])) == 1
