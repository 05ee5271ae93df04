"""apply(): create, replace, and the objects the lab refuses to send."""

import pytest

from runner.errors import ClusterError
from tests.api.manifests import LABELS, configmap, deployment

NS = "crashlab-jane-api-test"


@pytest.fixture
def cluster(k8s_api):
    cluster = k8s_api.connect()
    cluster.ensure_namespace(NS, LABELS)
    return cluster


def test_apply_creates_objects_in_the_namespace(cluster, k8s_api):
    stored = cluster.apply([configmap("cfg", "backend.url=http://db\n"), deployment()], NS)
    assert [o["kind"] for o in stored] == ["ConfigMap", "Deployment"]
    dep = k8s_api.emulator.store.get("deployments", NS, "inventory")
    assert dep["metadata"]["namespace"] == NS
    assert dep["metadata"]["generation"] == 1
    assert k8s_api.emulator.count("POST", f"/namespaces/{NS}/deployments") == 1


def test_apply_again_replaces_so_removed_fields_go_away(cluster, k8s_api):
    broken = deployment(resources={"limits": {"memory": "64Mi"}},
                        env=[{"name": "APP_WORKING_SET_MB", "value": "256"}])
    cluster.apply([broken], NS)
    fixed = deployment(env=[{"name": "APP_WORKING_SET_MB", "value": "256"}])
    stored = cluster.apply([fixed], NS)[0]
    container = stored["spec"]["template"]["spec"]["containers"][0]
    assert "resources" not in container
    assert stored["metadata"]["generation"] == 2
    assert k8s_api.emulator.count("PUT", f"/namespaces/{NS}/deployments/inventory") == 1


def test_apply_adds_the_lab_labels_when_given(cluster, k8s_api):
    bare = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": deployment()["spec"]}
    cluster.apply([bare], NS, labels=LABELS)
    stored = k8s_api.emulator.store.get("deployments", NS, "web")
    assert stored["metadata"]["labels"] == LABELS
    assert stored["spec"]["template"]["metadata"]["labels"] == {"app": "inventory", **LABELS}
    assert stored["spec"]["selector"] == {"matchLabels": {"app": "inventory"}}


@pytest.mark.parametrize("obj, message", [
    ({"apiVersion": "v1", "kind": "ConfigMap",
      "metadata": {"name": "cfg", "namespace": "kube-system", "labels": LABELS}},
     f"refusing to apply ConfigMap/cfg: it names namespace kube-system, but the lab only "
     f"writes to {NS}"),
    ({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
      "metadata": {"name": "admin", "labels": LABELS}},
     f"refusing to apply ClusterRoleBinding/admin: ClusterRoleBinding is cluster-scoped and the "
     f"lab only changes objects inside its namespace {NS}"),
    ({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "labels": LABELS}},
     f"refusing to apply Namespace/x: Namespace is cluster-scoped and the lab only changes "
     f"objects inside its namespace {NS}"),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}},
     "refusing to apply ConfigMap/cfg: it lacks the label app.kubernetes.io/managed-by=crashlab"
     " (pass labels= to add it)"),
    ({"apiVersion": "example.com/v1", "kind": "Widget",
      "metadata": {"name": "w", "labels": LABELS}},
     "refusing to apply Widget/w (example.com/v1): kind not supported by the lab; supported: "),
])
def test_apply_refuses_objects_outside_the_lab(cluster, k8s_api, obj, message):
    before = len(k8s_api.emulator.requests)
    with pytest.raises(ClusterError) as caught:
        cluster.apply([configmap("ok", "a=b"), obj], NS)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert k8s_api.emulator.count("POST") == 1  # only ensure_namespace: nothing was sent
    assert len(k8s_api.emulator.requests) == before


def test_apply_into_a_missing_namespace_is_a_cluster_error(k8s_api):
    with pytest.raises(ClusterError, match=r'refused creating Deployment/inventory in nowhere: '
                       r'404 namespaces "nowhere" not found'):
        k8s_api.connect().apply([deployment()], "nowhere")
