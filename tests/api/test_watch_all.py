"""Cluster.watch_all: one watch across all namespaces, label-selected, for any kind."""

import threading

from runner import ownership, placement
from runner.cluster import WatchStop


def _configmap(name, labels):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": labels},
            "data": {}}


def test_one_label_selected_watch_follows_every_namespace(k8s_api):
    store = k8s_api.emulator.store
    mine = {**placement.owner_labels("lab-3", "s", "ada"), "crashlab.dev/progress": "true"}
    store.create("configmaps", "ns-a", _configmap("a", mine), False)
    store.create("configmaps", "ns-b", _configmap("other", {"team": "x"}), False)
    cluster, stop, seen, synced = k8s_api.connect(), WatchStop(), [], threading.Event()
    events = cluster.watch_all("ConfigMap", "crashlab.dev/progress=true", stop=stop,
                               synced=synced.set)
    kind, obj = next(events)
    assert (kind, obj["metadata"]["namespace"]) == ("ADDED", "ns-a")
    store.create("configmaps", "ns-c", _configmap("c", mine), False)
    store.delete("configmaps", "ns-a", "a")
    for kind, obj in events:
        seen.append((kind, obj["metadata"]["namespace"]))
        if len(seen) == 2:
            break
    stop.set()
    assert synced.is_set() and seen == [("ADDED", "ns-c"), ("DELETED", "ns-a")]
    watches = [r for r in k8s_api.emulator.requests if r.watch]
    assert [r.path for r in watches] == ["/api/v1/configmaps"]
    assert watches[0].query["labelSelector"] == "crashlab.dev/progress=true"


def test_namespaces_are_watched_too_and_a_410_relists(k8s_api):
    store = k8s_api.emulator.store
    labels = placement.owner_labels("lab-3", "s", "ada")
    store.create("namespaces", "", {"apiVersion": "v1", "kind": "Namespace",
                                    "metadata": {"name": "crashlab-ada-s", "labels": labels}}, False)
    cluster, stop = k8s_api.connect(), WatchStop()
    events = cluster.watch_all("Namespace", ownership.OWNED_SELECTOR, stop=stop)
    assert next(events)[1]["metadata"]["name"] == "crashlab-ada-s"
    store.create("namespaces", "", {"apiVersion": "v1", "kind": "Namespace",
                                    "metadata": {"name": "crashlab-bob-s", "labels": labels}}, False)
    k8s_api.emulator.expire_watches()  # history compacted: resuming from the list's version
    #                                      gets 410 Gone, so the watch must relist
    kind, obj = next(events)
    stop.set()
    assert (kind, obj["metadata"]["name"]) == ("ADDED", "crashlab-bob-s")
    assert k8s_api.emulator.count("GET", "/api/v1/namespaces", watch=False) == 2  # list, relist
