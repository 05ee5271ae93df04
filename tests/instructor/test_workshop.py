"""Shared-cluster workshops: RBAC objects, prepare/teardown, participant rights, live grading."""

import os

import pytest
import yaml

from runner import ownership, placement, workshop
from runner.catalog import load_catalog
from runner.cluster import connect
from runner.errors import ClusterError
from runner.manifest_check import schema_problem
from tests.api.manifests import configmap, deployment
from tests.cli.helpers import run_cli
from tests.instructor import livedata

CATALOG = load_catalog()
LAB = CATALOG.labs["lab-3"]
CLUSTER_SCOPED = {"namespaces", "nodes", "persistentvolumes", "clusterroles",
                  "clusterrolebindings", "customresourcedefinitions", "storageclasses"}


def test_rbac_objects_are_schema_valid_and_grant_nothing_cluster_wide():
    objects = workshop.participant_objects(LAB, "ada")
    kinds = [o["kind"] for o in objects]
    assert kinds.count("Namespace") == 5 and kinds.count("Role") == 5
    assert kinds.count("RoleBinding") == 5 and kinds.count("ServiceAccount") == 1
    assert not {"ClusterRole", "ClusterRoleBinding"} & set(kinds)
    for obj in objects:
        assert schema_problem(obj) is None, (obj["kind"], schema_problem(obj))
        assert ownership.is_owned(obj["metadata"]["labels"])
        assert obj["metadata"]["labels"][workshop.WORKSHOP_KEY] == "true"
    for role in (o for o in objects if o["kind"] == "Role"):
        namespace = role["metadata"]["namespace"]
        assert namespace.startswith("crashlab-ada-")
        for rule in role["rules"]:
            assert "*" not in rule["verbs"] + rule["apiGroups"] + rule["resources"]
            assert not {"escalate", "bind", "impersonate"} & set(rule["verbs"])
            assert not {"secrets", "roles", "rolebindings", "serviceaccounts/token"} & set(rule["resources"])
            for resource in set(rule["resources"]) & CLUSTER_SCOPED:
                assert resource == "namespaces" and rule["resourceNames"] == [namespace]
                assert rule["verbs"] == ["get"]
    for binding in (o for o in objects if o["kind"] == "RoleBinding"):
        assert binding["roleRef"] == {"apiGroup": workshop.RBAC, "kind": "Role",
                                      "name": workshop.ROLE_NAME}
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "crashlab-ada",
                                        "namespace": "crashlab-ada-storefront"}]


def test_least_privilege_rules_cover_the_lab_and_no_more():
    rules = workshop.participant_rules("ns")

    def allowed(group, resource, verb):
        return any(group in r["apiGroups"] and resource in r["resources"] and verb in r["verbs"]
                   for r in rules)

    for resource in ("pods", "pods/log", "events", "configmaps", "services"):
        assert all(allowed("", resource, v) for v in ("get", "list", "watch"))
    for resource in ("deployments", "replicasets"):
        assert all(allowed("apps", resource, v) for v in ("get", "list", "watch"))
    assert all(allowed("apps", "deployments", v) for v in ("create", "update", "patch", "delete"))
    assert all(allowed("", "configmaps", v) for v in ("create", "update", "patch", "delete"))
    assert allowed("", "pods", "delete") and not allowed("", "pods", "create")
    assert not allowed("apps", "replicasets", "delete") and not allowed("", "services", "create")


@pytest.fixture
def prepared(k8s_api, tmp_path):
    names = tmp_path / "class.txt"
    names.write_text("ada\ngrace\n")
    out = tmp_path / "kubeconfigs"
    result = run_cli("workshop", "prepare", "--participants", str(names), "--context",
                     k8s_api.context, "--out", str(out), "--token-hours", "2",
                     environ=k8s_api.environ)
    assert result.code == 0, result.stderr
    return out


def _as(k8s_api, kubeconfig_file):
    return connect(k8s_api.context, str(kubeconfig_file))


def test_prepare_writes_private_kubeconfigs_with_short_lived_tokens(k8s_api, prepared):
    ada = prepared / "ada.kubeconfig"
    assert oct(os.stat(ada).st_mode & 0o777) == "0o600"
    config = yaml.safe_load(ada.read_text())
    assert config["current-context"] == k8s_api.context
    assert config["contexts"][0]["context"]["namespace"] == "crashlab-ada-storefront"
    token = config["users"][0]["user"]["token"]
    assert k8s_api.emulator.rbac.token_lifetime(token) == 2 * 3600
    admin = k8s_api.connect()
    names = sorted(ns["metadata"]["name"] for ns in admin.list_owned_namespaces())
    assert names == sorted(placement.namespace_name(p, LAB.slug(s)) for p in ("ada", "grace")
                           for s in LAB.scenario_ids)
    assert k8s_api.emulator.count("POST", "/clusterrole") == 0


def test_a_participant_can_run_the_lab_in_their_namespaces(k8s_api, kubelet, prepared):
    ada = _as(k8s_api, prepared / "ada.kubeconfig")
    ns = "crashlab-ada-report-builder"
    labels = placement.owner_labels("lab-3", LAB.key("oom-killed"), "ada")
    assert ada.get_namespace(ns)["metadata"]["name"] == ns
    ada.apply([configmap("settings", "backend.url=http://db:5432/x\n"),
               deployment("web", command=["lab-app"])], ns, labels=labels)
    for _, pod in ada.watch_pods(ns, timeout=10):
        if (pod.get("status") or {}).get("containerStatuses"):
            break
    pod_name = pod["metadata"]["name"]
    ada.list_pod_events(ns, pod_name)
    ada.read_logs(ns, pod_name, "app")
    ada.apply([deployment("web", command=["lab-app"], env=[{"name": "A", "value": "1"}])], ns,
              labels=labels)
    ada.delete("Pod", pod_name, ns)
    ada.list("ReplicaSet", ns)
    assert k8s_api.emulator.rbac.denied == []


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/v1/namespaces"),                                   # list namespaces
    ("GET", "/api/v1/pods"),                                         # all namespaces
    ("GET", "/api/v1/namespaces/crashlab-grace-report-builder/pods"),    # someone else's
    ("GET", "/api/v1/namespaces/kube-system"),
    ("GET", "/api/v1/namespaces/crashlab-ada-report-builder/secrets"),
    ("GET", "/api/v1/nodes"),
    ("DELETE", "/api/v1/namespaces/crashlab-ada-report-builder"),
    ("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/crashlab-ada-report-builder/roles"),
    ("POST", "/api/v1/namespaces/crashlab-ada-report-builder/pods"),
])
def test_a_participant_cannot_go_further(k8s_api, prepared, method, path):
    ada = _as(k8s_api, prepared / "ada.kubeconfig")
    body = {"apiVersion": "v1", "kind": "X", "metadata": {"name": "x"}} if method == "POST" else None
    with pytest.raises(ClusterError, match="forbidden|Forbidden|403|permission"):
        ada._request(method, path, body=body, doing="trying")  # raw probes of the Role
    with pytest.raises(ClusterError):
        ada.ensure_namespace("crashlab-ada-extra", placement.owner_labels("lab-3", "x", "ada"))


def test_teardown_removes_only_what_prepare_created(k8s_api, prepared):
    admin = k8s_api.connect()
    admin.ensure_namespace("crashlab-selftest-report-builder",
                           placement.owner_labels("lab-3", "oom-killed", "selftest"))
    k8s_api.emulator.store.create("namespaces", "", {  # someone else's: the lab cannot create it
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-prod"}}, False)
    result = run_cli("workshop", "teardown", "--context", k8s_api.context, environ=k8s_api.environ)
    assert result.code == 0, result.stderr
    assert "removed 10 namespace(s)" in result.stdout
    left = {ns["metadata"]["name"] for ns in admin.list("Namespace")}
    assert left == {"crashlab-selftest-report-builder", "team-prod"}


def test_prepare_rejects_bad_names(k8s_api, tmp_path):
    names = tmp_path / "class.txt"
    names.write_text("Ada Lovelace\n")
    result = run_cli("workshop", "prepare", "--participants", str(names), environ=k8s_api.environ)
    assert result.code == 2 and "participant name 'Ada Lovelace'" in result.stderr


def test_live_grading_of_100_participants_uses_a_constant_number_of_lists(k8s_api, tmp_path):
    names = [f"p{i:03d}" for i in range(100)]
    broken = {("p007", "oom-killed"), ("p042", "invalid-user"), ("p099", "bad-command")}
    livedata.seed_class(k8s_api.emulator.store, CATALOG, LAB, names, broken)
    before = len(k8s_api.emulator.requests)
    admin = k8s_api.connect()
    snapshot = workshop.read_live_snapshot(admin, "lab-3")
    from runner.grade import build_report

    report = workshop.grade_live(build_report([], [], ("lab-3",), LAB.scenario_ids), snapshot,
                                 CATALOG, LAB, now=livedata.now())
    requests = k8s_api.emulator.requests[before:]
    lists = [r for r in requests if r.method == "GET" and not r.watch]
    assert len(lists) <= 5 and len(requests) == len(lists)
    assert len(report.participants) == 100
    live = {(r.participant, r.scenario): r.live for r in report.rows}
    assert {k for k, v in live.items() if v != "fixed"} == broken
    assert report.row("p007", "oom-killed").status == "fixing"
    assert report.figure("oom-killed").verified == 99


def test_live_grade_cli_marks_a_file_that_lies(k8s_api, tmp_path):
    from tests.instructor import classdata

    livedata.seed_class(k8s_api.emulator.store, CATALOG, LAB, ["ada", "grace"],
                        {("ada", "oom-killed")})
    folder = tmp_path / "results"
    classdata.write(folder / "lab-3-ada.json", classdata.record("ada", [
        classdata.scenario_entry("ada", s) for s in LAB.scenario_ids]), "k")
    result = run_cli("grade", str(folder), "--live", "--context", k8s_api.context, "--no-files",
                     environ={**k8s_api.environ, "CRASHLAB_GRADING_KEY": "k", "NO_COLOR": "1"})
    assert result.code == 0, result.stderr
    assert "live-failed" in result.stdout and "oom-killed" in result.stdout
    assert "grace" in result.stdout  # live only: no file, found on the cluster
    assert k8s_api.emulator.count("GET", watch=False) <= 6  # 4 lists + ping


def test_extra_rules_only_where_the_scenario_deploys_those_kinds():
    plus = CATALOG.labs["lab-3-plus"]
    kinds = {s.id: workshop.scenario_kinds(s) for s in CATALOG.lab_scenarios("lab-3-plus")}
    objects = workshop.participant_objects(plus, "ada", kinds)
    rules = {o["metadata"]["namespace"]: o["rules"] for o in objects if o["kind"] == "Role"}

    def allowed(namespace, group, resource, verb):
        return any(group in r["apiGroups"] and resource in r["resources"] and verb in r["verbs"]
                   for r in rules[namespace])

    account = placement.namespace_name("ada", plus.slug("wrong-service-account"))
    assert {"ServiceAccount", "Role", "RoleBinding"} <= kinds["wrong-service-account"]
    assert allowed(account, workshop.RBAC, "rolebindings", "create")
    assert allowed(account, workshop.RBAC, "roles", "update")  # the solution re-applies it
    assert allowed(account, "", "serviceaccounts", "create")
    for namespace, namespace_rules in rules.items():
        for rule in namespace_rules:
            assert not {"escalate", "bind", "impersonate", "*"} & set(rule["verbs"])
            assert "clusterroles" not in rule["resources"]
        if namespace != account:
            assert not allowed(namespace, workshop.RBAC, "rolebindings", "create"), namespace
    slow = placement.namespace_name("ada", plus.slug("slow-start"))
    assert not allowed(slow, "", "secrets", "get")
    assert not allowed(slow, "", "services", "patch")
