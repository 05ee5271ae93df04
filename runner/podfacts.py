"""Facts read off a pod as the API returns it (camelCase dicts), in one place. Pure.

Container status by name, restart count, whether the container got past
creation, the newest pod of a workload, and the API's ISO-8601 times.
"""

from __future__ import annotations

import datetime


def parse_time(value) -> datetime.datetime | None:
    """An API timestamp (`2026-11-25T10:00:00Z`) as an aware datetime.

    None when absent, malformed, or the Unix epoch, which containerd reports for a
    time it does not know (`1970-01-01T00:00:00Z`). A time without a zone is UTC.
    """
    if not isinstance(value, str) or value.startswith("1970-01-01"):
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def container_status(pod: dict | None, container: str) -> dict | None:
    """The `status.containerStatuses[]` entry named `container`, or None."""
    statuses = ((pod or {}).get("status") or {}).get("containerStatuses") or []
    return next((s for s in statuses if isinstance(s, dict) and s.get("name") == container), None)


def restarts(pod: dict | None, container: str) -> int:
    """The container's restartCount (0 when it has no status yet)."""
    return (container_status(pod, container) or {}).get("restartCount") or 0


def past_creation(pod: dict, container: str) -> bool:
    """True once the container got past creation (running, exited, or stuck on its config)."""
    status = container_status(pod, container)
    if status is None:
        return False
    waiting = (status.get("state") or {}).get("waiting") or {}
    return waiting.get("reason") != "ContainerCreating"


def running_since(pod: dict, container: str) -> datetime.datetime | None:
    """When the container's current run started, None when it is not running."""
    state = (container_status(pod, container) or {}).get("state") or {}
    return parse_time((state.get("running") or {}).get("startedAt"))


def template_hash(pod: dict) -> str | None:
    """The ReplicaSet's `pod-template-hash` label: pods of one template share it."""
    return ((pod.get("metadata") or {}).get("labels") or {}).get("pod-template-hash")


def newest_pod(pods) -> dict | None:
    """The most recently created pod that is not being deleted; on equal creation times
    (they have a one-second resolution) the one listed or seen last."""
    alive = [(index, p) for index, p in enumerate(pods)
             if not (p.get("metadata") or {}).get("deletionTimestamp")]
    if not alive:
        return None
    return max(alive, key=lambda item: ((item[1]["metadata"].get("creationTimestamp") or ""),
                                        item[0]))[1]


def is_pod_of(name: str, prefix: str) -> bool:
    """True when a pod called `name` belongs to the workload whose pods start with `prefix`
    (`<workload>-`): a Deployment's pod is `<workload>-<template hash>-<suffix>`, so the rest
    holds at most one dash and `orders-store-7c9f-x2k8q` is not a pod of `orders`. An empty
    prefix matches every pod."""
    if not prefix:
        return True
    return name.startswith(prefix) and name[len(prefix):].count("-") <= 1
