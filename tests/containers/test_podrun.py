"""The pod-spec -> `docker run` translation, without Docker."""

from __future__ import annotations

import pytest

from runner.catalog import load_catalog, render_manifests
from tests.containers.podrun import (KubeletWouldReject, NotModelled, build_run_spec, expand,
                                     parse_memory, parse_quantity)


def _deployment(container: dict, **pod) -> dict:
    base = {"name": "app", "image": "lab:1"}
    return {"kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"template": {"spec": {"containers": [{**base, **container}], **pod}}}}


def _configmap(name: str, data: dict) -> dict:
    return {"kind": "ConfigMap", "metadata": {"name": name}, "data": data}


@pytest.mark.parametrize("text, want", [
    ("128Mi", 128 * 2**20), ("1Gi", 2**30), ("64M", 64 * 10**6), ("1.5Gi", 3 * 2**29),
    ("100", 100), (67108864, 2**26), ("1e3", 1000), ("128974848000m", 128974848), ("1k", 1000),
    ("0.5Ki", 512),
])
def test_parse_memory(text, want):
    assert parse_memory(text) == want


def test_parse_memory_rounds_a_fraction_of_a_byte_up():
    assert parse_memory("1500m") == 2


@pytest.mark.parametrize("text", ["", "12 Mi", "Mi", "1MiB", "1mi", "--1"])
def test_parse_quantity_rejects_what_the_api_server_rejects(text):
    with pytest.raises(ValueError, match="not a Kubernetes quantity"):
        parse_quantity(text)


def test_cpu_limit_becomes_cpus(tmp_path):
    spec = build_run_spec([_deployment({"resources": {"limits": {"cpu": "250m"}}})], tmp_path)
    assert spec.cpus == "0.25"


def test_command_replaces_the_entrypoint_and_args_follow(tmp_path):
    container = {"command": ["/bin/sh", "-c"], "args": ["echo hi"]}
    spec = build_run_spec([_deployment(container)], tmp_path)
    args = spec.docker_args(name="n", labels={}, network="none")
    assert args[args.index("--entrypoint") + 1] == "/bin/sh"
    assert args[-3:] == ["lab:1", "-c", "echo hi"]


def test_args_alone_keep_the_image_entrypoint(tmp_path):
    spec = build_run_spec([_deployment({"args": ["--version"]})], tmp_path)
    args = spec.docker_args(name="n", labels={}, network="none")
    assert "--entrypoint" not in args and args[-2:] == ["lab:1", "--version"]


def test_env_expansion_and_escapes():
    assert expand("$(A)-$(B)-$$(A)-$(MISSING)", {"A": "1", "B": "2"}) == "1-2-$(A)-$(MISSING)"


def test_env_from_configmaps_with_explicit_env_winning(tmp_path):
    objects = [
        _configmap("cm", {"LEVEL": "debug", "URL": "http://x"}),
        _deployment({
            "envFrom": [{"configMapRef": {"name": "cm"}, "prefix": "CFG_"}],
            "env": [{"name": "CFG_LEVEL", "value": "info"},
                    {"name": "BACKEND",
                     "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "URL"}}},
                    {"name": "BOTH", "value": "$(CFG_LEVEL)/$(BACKEND)"}],
        }),
    ]
    env = build_run_spec(objects, tmp_path).env
    assert env == {"CFG_LEVEL": "info", "CFG_URL": "http://x", "BACKEND": "http://x",
                   "BOTH": "info/http://x"}


def test_missing_configmap_is_what_kubelet_refuses(tmp_path):
    ref = {"configMapKeyRef": {"name": "gone", "key": "k"}}
    container = {"env": [{"name": "X", "valueFrom": ref}]}
    with pytest.raises(KubeletWouldReject, match='configmap "gone" not found'):
        build_run_spec([_deployment(container)], tmp_path)


@pytest.mark.parametrize("pod_sc, sc, want", [
    ({}, {}, None),
    ({"runAsUser": 1234}, {}, "1234"),
    ({"runAsUser": 1234, "runAsGroup": 5}, {}, "1234:5"),
    ({"runAsUser": 1234, "runAsGroup": 5}, {"runAsUser": 10001}, "10001:5"),
    ({}, {"runAsGroup": 7}, "10001:7"),
])
def test_run_as_user_and_group_container_level_wins(tmp_path, pod_sc, sc, want):
    objects = [_deployment({"securityContext": sc}, securityContext=pod_sc)]
    assert build_run_spec(objects, tmp_path, image_user="10001:10001").user == want


@pytest.mark.parametrize("pod_sc, image_user, message", [
    ({"runAsNonRoot": True}, "", "image will run as root"),
    ({"runAsNonRoot": True}, "app", "non-numeric user"),
    ({"runAsNonRoot": True, "runAsUser": 0}, "10001", "breaks non-root policy"),
])
def test_run_as_non_root_is_checked_like_kubelet(tmp_path, pod_sc, image_user, message):
    with pytest.raises(KubeletWouldReject, match=message):
        build_run_spec([_deployment({}, securityContext=pod_sc)], tmp_path, image_user=image_user)


def test_configmap_volume_items_subpath_and_modes(tmp_path):
    objects = [
        _configmap("cm", {"app.properties": "a=1\n", "other": "x"}),
        _deployment(
            {"volumeMounts": [{"name": "cfg", "mountPath": "/etc/app"},
                              {"name": "cfg", "mountPath": "/opt/one.conf",
                               "subPath": "conf/one.conf"},
                              {"name": "scratch", "mountPath": "/tmp/work"}]},
            volumes=[{"name": "cfg", "configMap": {
                         "name": "cm", "defaultMode": 0o640,
                         "items": [{"key": "app.properties", "path": "conf/one.conf"}]}},
                     {"name": "scratch", "emptyDir": {}}],
        ),
    ]
    spec = build_run_spec(objects, tmp_path)
    (cfg, _, ro1), (one, _, ro2), (scratch, _, ro3) = spec.mounts
    assert (cfg / "conf/one.conf").read_text() == "a=1\n" and not (cfg / "other").exists()
    assert (one.stat().st_mode & 0o777, ro1, ro2, ro3) == (0o640, True, True, False)
    assert one.name == "one.conf" and scratch.stat().st_mode & 0o777 == 0o777
    assert "--mount" in spec.docker_args(name="n", labels={}, network="none")


def test_memory_limit_sets_swap_to_the_same_value(tmp_path):
    spec = build_run_spec([_deployment({"resources": {"limits": {"memory": "48Mi"}}})], tmp_path)
    args = spec.docker_args(name="n", labels={}, network="none")
    memory, swap = (args[args.index(flag) + 1] for flag in ("--memory", "--memory-swap"))
    assert memory == swap == str(48 * 2**20)


def test_read_only_root_workdir_and_named_probe_port(tmp_path):
    container = {"workingDir": "/srv", "securityContext": {"readOnlyRootFilesystem": True},
                 "ports": [{"name": "http", "containerPort": 8080}],
                 "livenessProbe": {"httpGet": {"path": "/live", "port": "http"}}}
    spec = build_run_spec([_deployment(container)], tmp_path)
    args = spec.docker_args(name="n", labels={"k": "v"}, network="none")
    assert {"--read-only", "k=v"} <= set(args) and args[args.index("--workdir") + 1] == "/srv"
    assert [(p.kind, p.path, p.port) for p in spec.probes] == [("liveness", "/live", 8080)]


@pytest.mark.parametrize("extra,container", [
    ({"volumes": [{"name": "s", "projected": {"sources": []}}]},
     {"volumeMounts": [{"name": "s", "mountPath": "/s"}]}),
    ({"serviceAccountName": "reader"}, {}),
    ({}, {"env": [{"name": "APP_SETTINGS_CONFIGMAP", "value": "x"}]}),
])
def test_what_is_not_modelled_says_so(tmp_path, extra, container):
    with pytest.raises(NotModelled):
        build_run_spec([_deployment(container, **extra)], tmp_path)


def test_a_sidecar_is_not_modelled(tmp_path):
    deployment = _deployment({})
    deployment["spec"]["template"]["spec"]["containers"].append({"name": "side", "image": "x"})
    with pytest.raises(NotModelled):
        build_run_spec([deployment], tmp_path)


def test_secret_volume_files_come_from_data_and_string_data_with_items(tmp_path):
    secret = {"kind": "Secret", "metadata": {"name": "db"}, "data": {"a": "c2VjcmV0"},
              "stringData": {"b": "plain"}}
    mounts = [{"name": "all", "mountPath": "/all"}, {"name": "one", "mountPath": "/one"}]
    volumes = [{"name": "all", "secret": {"secretName": "db"}},
               {"name": "one", "secret": {"secretName": "db", "items": [{"key": "a", "path": "pw"}]}}]
    spec = build_run_spec([_deployment({"volumeMounts": mounts}, volumes=volumes), secret], tmp_path)
    sources = {target: source for source, target, _ in spec.mounts}
    assert sorted(p.name for p in sources["/all"].iterdir()) == ["a", "b"]
    assert (sources["/all"] / "a").read_text() == "secret" and (sources["/all"] / "b").read_text() == "plain"
    assert [p.name for p in sources["/one"].iterdir()] == ["pw"]
    assert all(read_only for _, _, read_only in spec.mounts)


def test_a_missing_secret_is_what_kubelet_would_reject(tmp_path):
    volumes = [{"name": "s", "secret": {"secretName": "nope"}}]
    with pytest.raises(KubeletWouldReject, match='secret "nope" not found'):
        build_run_spec([_deployment({"volumeMounts": [{"name": "s", "mountPath": "/s"}]},
                                    volumes=volumes)], tmp_path)


def test_init_containers_are_picked_by_index_and_probes_keep_their_timeout(tmp_path):
    container = {"ports": [{"name": "http", "containerPort": 8080}],
                 "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "timeoutSeconds": 5}}
    deployment = _deployment(container, initContainers=[
        {"name": "prepare", "image": "lab:1", "env": [{"name": "APP_MODE", "value": "oneshot"}]}])
    init = build_run_spec([deployment], tmp_path, init=0)
    app = build_run_spec([deployment], tmp_path)
    assert init.env == {"APP_MODE": "oneshot"} and init.probes == []
    assert [(p.kind, p.timeout) for p in app.probes] == [("readiness", 5.0)]


def test_one_workload_among_several_is_picked_by_name(tmp_path):
    other = _deployment({"image": "lab:2"})
    other["metadata"]["name"] = "store"
    with pytest.raises(NotModelled):
        build_run_spec([_deployment({}), other], tmp_path)
    assert build_run_spec([_deployment({}), other], tmp_path, template="store").image == "lab:2"


@pytest.mark.parametrize("variant", ["broken", "solution"])
def test_every_catalogue_manifest_translates(tmp_path, variant):
    for scenario in load_catalog().scenarios.values():
        objects = render_manifests(scenario, variant, namespace="crashlab-ci-x", image="lab:1")
        if scenario.id == "wrong-service-account":  # reads through the API: listed as not modelled
            with pytest.raises(NotModelled):
                build_run_spec(objects, tmp_path / scenario.id, template=scenario.workload.name)
            continue
        spec = build_run_spec(objects, tmp_path / scenario.id, image_user="10001:10001",
                              template=scenario.workload.name)
        assert spec.image == "lab:1"


def test_a_pod_reading_through_the_api_gets_the_stand_in_url(tmp_path):
    container = {"env": [{"name": "APP_SETTINGS_CONFIGMAP", "value": "x"}]}
    spec = build_run_spec([_deployment(container)], tmp_path, kube_api="http://127.0.0.1:6443")
    assert spec.env == {"APP_SETTINGS_CONFIGMAP": "x", "APP_API_URL": "http://127.0.0.1:6443"}


@pytest.mark.parametrize("variant,code", [("broken", 403), ("solution", 200)])
def test_the_stand_in_api_answers_as_rbac_decides(tmp_path, variant, code):
    import json

    from tests.containers import kubeapi

    scenario = load_catalog().scenario("wrong-service-account")
    objects = render_manifests(scenario, variant, namespace="crashlab-ci-x", image="lab:1")
    pod = objects[0]["spec"]["template"]["spec"]
    answers, _, sa_dir = kubeapi.prepare(objects, pod, "crashlab-ci-x", "reports-settings", tmp_path / "api")
    (key, (got, body)), = json.loads(answers.read_text()).items()
    account = pod.get("serviceAccountName", "default")
    assert key == f"Bearer token-of-{account} /api/v1/namespaces/crashlab-ci-x/configmaps/reports-settings"
    assert (sa_dir / "token").read_text() == f"token-of-{account}"
    assert got == code
    if code == 403:
        assert body["message"] == (
            'configmaps "reports-settings" is forbidden: User "system:serviceaccount:crashlab-ci-x:default" '
            'cannot get resource "configmaps" in API group "" in the namespace "crashlab-ci-x"')
    else:
        assert body["data"] == {"currency": "EUR", "timezone": "Europe/Amsterdam"}
