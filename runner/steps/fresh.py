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

from runner.cluster import ApiStatusError
from runner.errors import ClusterError

QUIET_SECONDS = 1.0     # the watch silent this long: a fresh read shows whether it is current
STALL_SECONDS = 3.0     # no word from the API this long: the window pauses, then starts again
READ_TIMEOUT = (3, 3)   # (connect, read) seconds for a fresh read
LOST_SECONDS = 90.0     # no word for this long: the API is lost (the last ClusterError)
WAITING = "waiting for the cluster to answer…"


class Evidence:
    """How current the tracker's view of one placement's pods is.

    `current_until`: the last moment the view was known current; `current_since`: when the
    unbroken stretch of current evidence that reaches `current_until` began."""

    def __init__(self, cluster, tracker, placement):
        self.cluster, self.tracker, self.placement = cluster, tracker, placement
        self.current_since = self.current_until = tracker.now()
        self.stalled = False
        self._problem: ClusterError | None = None

    def refresh(self) -> bool:
        """Bring the evidence up to now: the watch's last word, else one fresh read. False
        while the API does not answer; the last ClusterError once it has not for LOST_SECONDS."""
        heard = self.tracker.heard(self.placement.namespace)
        if heard is not None:
            self._note(heard)
        if heard is None or self.tracker.now() - heard > QUIET_SECONDS:
            self.read()
        silent = self.tracker.now() - self.current_until
        if silent > STALL_SECONDS:
            self.stalled = True
        if silent > LOST_SECONDS and self._problem is not None:
            raise self._problem
        return not self.stalled

    def read(self) -> bool:
        """One fresh list of the workload's pods, folded into the tracker; False when the API
        did not answer in time (an API that answers with an error raises it)."""
        where = self.placement
        asked = self.tracker.now()
        try:
            pods = self.cluster.list_pods(where.namespace, timeout=READ_TIMEOUT)
        except ApiStatusError:
            raise
        except ClusterError as problem:   # no answer: a stall, unless it lasts
            self._problem = problem
            return False
        self.tracker.observe(where.namespace, where.pod_prefix,
                             [p for p in pods if p["metadata"]["name"].startswith(where.pod_prefix)])
        self._note(asked)
        return True

    def _note(self, at: float) -> None:
        if at <= self.current_until:
            return
        if self.stalled or at - self.current_until > STALL_SECONDS:
            self.current_since = at   # a gap in the evidence: the window starts again
        self.stalled = False
        self.current_until = at
