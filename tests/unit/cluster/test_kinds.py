import pytest

from runner.cluster import _kinds
from runner.placement import owner_labels

LABELS = owner_labels("lab-3", "oom-killed", "ada")
NS = "crashlab-ada-oom-killed"


def test_kind_path_for_one_namespace_all_namespaces_and_cluster_scoped_kinds():
    assert _kinds.kind_path("Deployment", NS, "web") == f"/apis/apps/v1/namespaces/{NS}/deployments/web"
    assert _kinds.kind_path("Pod") == "/api/v1/pods"
    assert _kinds.kind_path("ConfigMap", NS) == f"/api/v1/namespaces/{NS}/configmaps"
    assert _kinds.kind_path("Namespace", None, NS) == f"/api/v1/namespaces/{NS}"
    assert _kinds.kind_path("Namespace", "ignored") == "/api/v1/namespaces"
    with pytest.raises(KeyError):
        _kinds.kind_path("Widget", NS)


def test_restart_patch_is_what_kubectl_rollout_restart_sends():
    assert _kinds.restart_patch("2026-11-25T10:00:00Z") == {"spec": {"template": {"metadata": {
        "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-25T10:00:00Z"}}}}}


@pytest.mark.parametrize("selector, labels, ok", [
    (None, {}, True),
    ("a=1", {"a": "1"}, True), ("a==1", {"a": "2"}, False), ("a!=1", {"a": "2"}, True),
    ("a", {"b": "1"}, False), ("!a", {"b": "1"}, True), ("a=1,b=2", {"a": "1", "b": "3"}, False),
    ("env in (x, y)", {}, True),
])
def test_selector_matches(selector, labels, ok):
    assert _kinds.selector_matches(selector, {"metadata": {"labels": labels}}) is ok


def test_with_labels_labels_the_pod_template_and_keeps_the_selector():
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
           "spec": {"selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}}}}}
    out = _kinds.with_labels(dep, NS, LABELS)
    assert out["metadata"]["namespace"] == NS and out["metadata"]["labels"] == LABELS
    assert out["spec"]["template"]["metadata"]["labels"] == {"app": "web", **LABELS}
    assert out["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    assert "labels" not in dep["metadata"]  # the input is not changed


@pytest.mark.parametrize("obj, words", [
    ({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "labels": LABELS}},
     "cluster-scoped"),
    ({"apiVersion": "v9", "kind": "Widget", "metadata": {"name": "x", "labels": LABELS}},
     "kind not supported"),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"labels": LABELS}}, "without metadata.name"),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "other",
                                                             "labels": LABELS}}, "names namespace other"),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}, "lacks the label"),
])
def test_check_object_refuses_with_a_reason(obj, words):
    assert words in _kinds.check_object(obj, NS)


def test_check_object_accepts_a_labelled_object():
    assert _kinds.check_object({"apiVersion": "v1", "kind": "ConfigMap",
                                "metadata": {"name": "x", "labels": LABELS}}, NS) is None
