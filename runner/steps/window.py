"""The stability window, once: how long a fixed pod must stay Ready without a restart, and
when a fix that keeps failing has been watched long enough. Pure."""

from __future__ import annotations

from runner.expect import stability_window
from runner.podfacts import container_status


def window_for(pod: dict, container: str, floor: int, override: int | float | None) -> int:
    """`override` when given (demos, tests), else the rule in expect.stability_window: the
    scenario's floor, or long enough for the liveness probe to have failed once."""
    if override is not None:
        return override
    return stability_window(pod, container, floor)


def template_pod(workload: dict | None) -> dict:
    """A workload's pod template shaped as a pod, so the window can be read before the pod exists."""
    return {"spec": (((workload or {}).get("spec") or {}).get("template") or {}).get("spec") or {}}


class Steadiness:
    """Whether a pod has stayed "not fixed" for a whole window (then waiting longer is moot)."""

    def __init__(self):
        self._bad_since: float | None = None

    def settling(self) -> None:
        self._bad_since = None

    def steadily_bad(self, now: float, window: float) -> bool:
        self._bad_since = now if self._bad_since is None else self._bad_since
        return now - self._bad_since >= max(window, 1)


def same_run(judged: dict, fresh: dict | None, container: str) -> bool:
    """Whether a fresh read shows the very run a verdict judged: the same pod, the same
    restart count and container ID, still Ready."""
    if fresh is None or (fresh.get("metadata") or {}).get("uid") != \
            (judged.get("metadata") or {}).get("uid"):
        return False
    before, now = container_status(judged, container) or {}, container_status(fresh, container) or {}
    return (now.get("ready") is True and now.get("restartCount") == before.get("restartCount")
            and now.get("containerID") == before.get("containerID"))
