"""Fresh evidence, once: a verdict counts only time for which the lab's view of the workload
was demonstrably current (a watch event or bookmark arrived, or a fresh read answered), and
ends with one fresh read of the workload's pods that must agree with it.

A stalled API server (paused, overloaded, a laptop's Wi-Fi) keeps a watch open and silent:
silence alone cannot tell "nothing happened" from "nothing was heard". When the watch has been
quiet for QUIET_SECONDS a short fresh read answers that; when nothing has answered for
STALL_SECONDS the evidence is stalled, and the stretch of current evidence (where a stability
window may start) begins again once the API answers.
"""

from __future__ import annotations

import threading

from runner.cluster import ApiStatusError
from runner.errors import ClusterError
from runner.podfacts import is_pod_of

QUIET_SECONDS = 1.0     # the watch silent this long: a fresh read shows whether it is current
STALL_SECONDS = 3.0     # no word from the API this long: the window pauses, then starts again
READ_TIMEOUT = (3, 3)   # (connect, read) seconds for a fresh read
LOST_SECONDS = 90.0     # no word for this long: the API is lost (the last ClusterError)
SETTLE_SECONDS = 0.5    # how long a step waits for a fresh read before going on without it
WAITING = "waiting for the cluster to answer…"


class Evidence:
    """How current the tracker's view of one placement's pods is.

    `current_until`: the last moment the view was known current; `current_since`: when the
    unbroken stretch of current evidence that reaches `current_until` began. Fresh reads run
    on a helper thread, one at a time, so a held request never freezes the step."""

    def __init__(self, cluster, tracker, placement):
        self.cluster, self.tracker, self.placement = cluster, tracker, placement
        self.current_since = self.current_until = tracker.now()
        self.stalled = False
        self._problem: ClusterError | None = None
        self._read: _Read | None = None

    def refresh(self) -> bool:
        """Bring the evidence up to now: the watch's last word, else a fresh read. False while
        the API does not answer; the last ClusterError once it has not for LOST_SECONDS."""
        heard = self.tracker.heard(self.placement.namespace)
        if heard is not None:
            self._note(heard)
        self._collect(0)
        if heard is None or self.tracker.now() - heard > QUIET_SECONDS:
            self._start()
            self._collect(SETTLE_SECONDS)
        return self._check_silence()

    def read(self) -> bool:
        """One fresh list of the workload's pods, folded into the tracker, waited for (a read
        already under way counts if it was asked after `current_until`). False when the API
        did not answer in time; an API that answers with an error raises it."""
        if self._read is not None and self._read.asked < self.current_until:
            self._collect(None)
        self._start()
        answered = self._collect(None)
        self._check_silence()
        return answered

    def _check_silence(self) -> bool:
        """Mark a stall once nothing has answered for STALL_SECONDS; True while current."""
        silent = self.tracker.now() - self.current_until
        if silent > STALL_SECONDS:
            self.stalled = True
        if silent > LOST_SECONDS and self._problem is not None:
            raise self._problem
        return not self.stalled

    def _start(self) -> None:
        if self._read is None:
            self._read = _Read(self.cluster, self.placement, self.tracker.now())

    def _collect(self, wait: float | None) -> bool:
        """Fold in the read under way if it ends within `wait` s (None: however long)."""
        read = self._read
        if read is None or not read.finish(wait):
            return False
        self._read = None
        if isinstance(read.problem, ApiStatusError) or (
                read.problem is not None and not isinstance(read.problem, ClusterError)):
            raise read.problem
        if read.problem is not None:
            self._problem = read.problem
            return False
        where, answered = self.placement, self.tracker.now()
        self.tracker.observe(where.namespace, where.pod_prefix, read.pods)
        if self.stalled or answered - read.asked > STALL_SECONDS or \
                read.asked - self.current_until > STALL_SECONDS:
            # The read ends a stall: it shows the view current when it was answered, not
            # when it was asked (it may have been held all along), so evidence starts again then.
            self.stalled = True
            self._note(answered)
        else:
            self._note(read.asked)
        return True

    def _note(self, at: float) -> None:
        if at <= self.current_until:
            return
        if self.stalled or at - self.current_until > STALL_SECONDS:
            self.current_since = at   # a gap in the evidence: the window starts again
        self.stalled = False
        self.current_until = at


class _Read:
    """One list of the placement's pods on a helper thread."""

    def __init__(self, cluster, placement, asked: float):
        self.asked = asked
        self.pods: list[dict] = []
        self.problem: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(cluster, placement),
                                        name="crashlab-fresh-read", daemon=True)
        self._thread.start()

    def _run(self, cluster, placement) -> None:
        try:
            pods = cluster.list_pods(placement.namespace, timeout=READ_TIMEOUT)
            self.pods = [p for p in pods if is_pod_of(p["metadata"]["name"], placement.pod_prefix)]
        except BaseException as problem:  # noqa: BLE001 - handed to the step's thread
            self.problem = problem   # no answer (a ClusterError) is a stall, see refresh

    def finish(self, wait: float | None) -> bool:
        self._thread.join(wait)
        return not self._thread.is_alive()
