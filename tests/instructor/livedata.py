"""A class on the emulator's store: namespaces, deployments, configmaps and pods shaped like a
real cluster after a workshop, written in-process (fast) for live-grading tests and benches."""

from __future__ import annotations

import datetime

from runner import placement
from runner.catalog import render_manifests

LONG_AGO = "2026-11-25T09:00:00Z"


def _pod(deployment: dict, ready: bool, started: str, restarts: int) -> dict:
    meta = deployment["metadata"]
    template = deployment["spec"]["template"]
    container = template["spec"]["containers"][0]["name"]
    state = ({"running": {"startedAt": started}} if ready else
             {"waiting": {"reason": "CrashLoopBackOff",
                          "message": "back-off 40s restarting failed container"}})
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"{meta['name']}-7d9c5b7f4-x2k8q", "namespace": meta["namespace"],
                         "labels": dict(template["metadata"]["labels"]),
                         "creationTimestamp": started},
            "spec": template["spec"],
            "status": {"phase": "Running",
                       "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
                       "containerStatuses": [{"name": container, "ready": ready,
                                              "restartCount": restarts, "started": ready,
                                              "state": state, "image": "crashlab/lab-app:0.1.0"}]}}


def seed_class(store, catalog, lab, participants: list[str], broken: set[tuple[str, str]] = frozenset(),
               started: str = LONG_AGO) -> None:
    """Every participant's namespaces with the solution (or, for (participant, scenario) in
    `broken`, the broken manifest) deployed and its pod running."""
    for participant in participants:
        for scenario_id in lab.scenario_ids:
            scenario = catalog.scenarios[scenario_id]
            namespace = placement.namespace_name(participant, scenario.slug)
            labels = placement.owner_labels(lab.id, scenario.key, participant)
            store.create("namespaces", "", {"apiVersion": "v1", "kind": "Namespace", "metadata": {
                "name": namespace, "labels": labels}, "status": {"phase": "Active"}}, False)
            is_broken = (participant, scenario_id) in broken
            objects = render_manifests(scenario, "broken" if is_broken else "solution",
                                       namespace=namespace, participant=participant, lab=lab.id)
            for obj in objects:
                plural = {"Deployment": "deployments", "ConfigMap": "configmaps"}[obj["kind"]]
                store.create(plural, namespace, obj, plural == "deployments")
                if obj["kind"] == "Deployment":
                    pod = _pod(obj, not is_broken, started, 4 if is_broken else 0)
                    store.create("pods", namespace, pod, False)


def now() -> datetime.datetime:
    return datetime.datetime(2026, 11, 25, 11, 0, tzinfo=datetime.timezone.utc)
