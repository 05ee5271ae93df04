"""The lab's namespaces: created labelled, reused when owned, never touched when not."""

import pytest

from runner import placement
from runner.errors import NotOwnedError
from tests.api.manifests import LABELS

NS = "crashlab-jane-api-test"


def test_ensure_namespace_creates_it_with_the_lab_labels(k8s_api):
    cluster = k8s_api.connect()
    created = cluster.ensure_namespace(NS, LABELS)
    stored = k8s_api.emulator.store.get("namespaces", "", NS)
    assert stored["metadata"]["labels"] == LABELS
    assert created["metadata"]["uid"] == stored["metadata"]["uid"]


def test_ensure_namespace_reuses_an_owned_namespace(k8s_api):
    cluster = k8s_api.connect()
    first = cluster.ensure_namespace(NS, LABELS)
    again = cluster.ensure_namespace(NS, LABELS)
    assert again["metadata"]["uid"] == first["metadata"]["uid"]


def test_ensure_namespace_refuses_a_namespace_it_did_not_create(k8s_api):
    k8s_api.emulator.store.create("namespaces", "", {
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": NS, "labels": {"team": "payments"}}}, False)
    with pytest.raises(NotOwnedError, match=rf"^namespace {NS} already exists and was not "
                       r"created by crashlab \(no app.kubernetes.io/managed-by=crashlab label\)"):
        k8s_api.connect().ensure_namespace(NS, LABELS)
    assert k8s_api.emulator.store.get("namespaces", "", NS)["metadata"]["labels"] == {
        "team": "payments"}


def test_delete_namespace_refuses_an_unlabelled_namespace(k8s_api):
    k8s_api.emulator.store.create("namespaces", "", {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}}, False)
    with pytest.raises(NotOwnedError, match="refusing to delete namespace default: it does not "
                       "carry app.kubernetes.io/managed-by=crashlab"):
        k8s_api.connect().delete_namespace("default")
    assert k8s_api.emulator.store.exists("namespaces", "", "default")
    assert k8s_api.emulator.count("DELETE") == 0


def test_delete_namespace_deletes_an_owned_one_and_its_objects(k8s_api):
    cluster = k8s_api.connect()
    cluster.ensure_namespace(NS, LABELS)
    cluster.apply([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"},
                    "data": {"a": "b"}}], NS, labels=LABELS)
    answer = cluster.delete_namespace(NS)
    assert answer["status"]["phase"] == "Terminating"
    assert not k8s_api.emulator.store.exists("namespaces", "", NS)
    assert not k8s_api.emulator.store.exists("configmaps", NS, "cfg")
    assert cluster.delete_namespace(NS) is None  # already gone is fine


def test_list_owned_namespaces_only_returns_the_labs(k8s_api):
    cluster = k8s_api.connect()
    cluster.ensure_namespace(NS, LABELS)
    cluster.ensure_namespace("crashlab-bob-oom-killed",
                             placement.owner_labels("lab-3", "oom-killed", "bob"))
    k8s_api.emulator.store.create("namespaces", "", {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}}, False)
    names = sorted(ns["metadata"]["name"] for ns in cluster.list_owned_namespaces())
    assert names == ["crashlab-bob-oom-killed", NS]
