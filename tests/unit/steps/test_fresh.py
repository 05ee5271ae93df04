"""Fresh evidence: a window counts only time the view was current; a stall restarts it; a
verdict holds only when one fresh read agrees (on a fake clock)."""

import copy

from runner import steps
from runner.errors import ClusterError
from runner.steps import fresh, window
from tests.unit.pods import oom_pod, running_pod
from tests.unit.steps.fakes import PLACEMENT, SCENARIO, FakeCluster, ScriptedTracker

STALL = (2.0, 17.0)  # the API answers nothing from 2 s to 17 s (15 s)


class StallingTracker(ScriptedTracker):
    """A scripted watch that goes silent during STALL and then delivers what it held."""

    def _stalled(self) -> bool:
        return STALL[0] <= self.clock < STALL[1]

    def _deliver_due(self):
        if not self._stalled():
            super()._deliver_due()

    def heard(self, namespace):
        return min(self.clock, STALL[0]) if self._stalled() else self.clock


def _stalling_cluster(tracker):
    def pods(namespace):
        if tracker._stalled():
            raise ClusterError("cannot reach the Kubernetes API: timed out")
        return list(tracker.latest.values())
    return FakeCluster(pods=pods)


def _running(restarts=0, version="100", container_id="containerd://aaa"):
    pod = running_pod()
    pod["metadata"]["resourceVersion"] = version
    pod["status"]["containerStatuses"][0].update(restartCount=restarts, containerID=container_id)
    return pod


def test_a_stall_inside_the_window_restarts_it_once_the_api_answers():
    tracker = StallingTracker([(0, _running())])
    events = []
    judged = steps.run(steps.await_fix(_stalling_cluster(tracker), tracker, PLACEMENT, SCENARIO,
                                       timeout=120, stability_window=5), events.append)
    assert judged.verdict.fixed
    assert judged.seconds >= STALL[1] + 5, "a full window of fresh evidence after the stall"
    assert any(e.note == fresh.WAITING for e in events)
    waiting = [e for e in events if e.note == fresh.WAITING]
    assert all(not e.note.startswith("looks fixed") for e in waiting)


def test_a_fix_that_crashes_during_the_stall_is_not_verified():
    crashed = oom_pod(name="web-5c6d7e8f9a-abcde", uid="uid-2", restarts=1)
    crashed["metadata"]["resourceVersion"] = "101"
    tracker = StallingTracker([(0, _running()), (8, crashed)])
    judged = steps.run(steps.await_fix(_stalling_cluster(tracker), tracker, PLACEMENT, SCENARIO,
                                       timeout=120, stability_window=5))
    assert not judged.verdict.fixed and judged.verdict.restarts == 1
    assert judged.seconds >= STALL[1]


def test_a_fresh_read_that_shows_a_restart_overrules_a_quiet_watch():
    tracker = ScriptedTracker([(0, _running())])
    restarted = _running(restarts=1, version="101", container_id="containerd://bbb")
    reads = []

    def pods(namespace):
        reads.append(tracker.clock)
        return [restarted] if tracker.clock >= 4 else [_running()]

    tracker.heard = lambda namespace: 0.0     # the watch never says a word after the start
    judged = steps.run(steps.await_fix(FakeCluster(pods=pods), tracker, PLACEMENT, SCENARIO,
                                       timeout=30, stability_window=5))
    assert judged.verdict.fixed and judged.verdict.restarts == 1
    assert judged.seconds >= 4 + 5, "the window starts again at the restart the read showed"
    assert len(reads) >= 5, "a quiet watch is backed by fresh reads"


def test_same_run_needs_the_same_pod_restart_count_container_and_readiness():
    pod = _running()
    assert window.same_run(pod, copy.deepcopy(pod), "app")
    assert not window.same_run(pod, None, "app")
    assert not window.same_run(pod, _running(restarts=1), "app")
    assert not window.same_run(pod, _running(container_id="containerd://bbb"), "app")
    unready = _running()
    unready["status"]["containerStatuses"][0]["ready"] = False
    assert not window.same_run(pod, unready, "app")
    other = _running()
    other["metadata"]["uid"] = "uid-9"
    assert not window.same_run(pod, other, "app")


def test_a_symptom_counts_only_once_a_fresh_read_still_shows_it():
    shown, again = oom_pod(restarts=1), oom_pod(restarts=2)
    again["metadata"]["resourceVersion"] = "102"
    tracker = ScriptedTracker([(0, shown), (2, again)])
    healed = copy.deepcopy(shown)   # what the API says now: the watch was behind
    healed["metadata"]["resourceVersion"] = "101"
    healed["status"]["containerStatuses"][0].update(restartCount=0, lastState={})
    answers = [[healed], [again]]
    cluster = FakeCluster(pods=lambda namespace: answers.pop(0) if len(answers) > 1 else answers[0])
    seen = steps.run(steps.await_symptom(cluster, tracker, PLACEMENT, SCENARIO.symptom))
    assert seen.shown and cluster.calls["list_pods"] == 2
    assert seen.pod["metadata"]["resourceVersion"] == "102" and seen.seconds >= 2


def test_a_confirming_read_that_disagrees_sends_the_window_round_again():
    tracker = ScriptedTracker([(0, _running())])
    restarted = _running(restarts=1, version="101", container_id="containerd://bbb")
    tracker.heard = lambda namespace: tracker.clock       # a watch that looks current...
    answers = {"pod": _running()}

    def pods(namespace):
        if tracker.clock >= 5:                            # ...but missed a restart at the end
            answers["pod"] = restarted
        return [answers["pod"]]

    events = []
    judged = steps.run(steps.await_fix(FakeCluster(pods=pods), tracker, PLACEMENT, SCENARIO,
                                       timeout=30, stability_window=5), events.append)
    assert judged.verdict.fixed and judged.verdict.restarts == 1 and judged.seconds >= 10
    notes = [e.note for e in events]
    assert "looks fixed: checking it once more" in notes and "not fixed yet" not in notes
