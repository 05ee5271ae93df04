"""`crashlab diagnose POD` on the causes beyond the lab's scenarios, live against the API
emulator over real HTTP: the test kubelet plays a failing init container, a startup-probe
kill, an eviction and a CreateContainerError from the pod spec, as a node would."""

import json

import pytest

from runner import placement
from runner.kind.versions import SUPPORTED_MINORS
from tests.cli.helpers import run_cli
from tests.harness.fixtures import wait_for_pod

IMAGE = "crashlab/lab-app:0.1.0"


def _pod(name, **spec):
    containers = spec.pop("containers", [{"name": "app", "image": IMAGE}])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": containers, **spec}}


def _status(pod):
    return pod.get("status") or {}


def _first(pod, key="containerStatuses"):
    return (_status(pod).get(key) or [{}])[0]


PLAYS = {
    "init_container": (
        _pod("web-0", initContainers=[{"name": "wait-for-db", "image": "busybox:1.36",
                                       "command": ["sh", "-c", "nc -z db 5432 || exit 1"]}]),
        lambda p: _first(p, "initContainerStatuses").get("restartCount", 0) >= 2,
        "wait-for-db"),
    "startup_probe": (
        _pod("web-0", containers=[{"name": "app", "image": IMAGE, "startupProbe": {
            "httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 5, "failureThreshold": 3}}]),
        lambda p: _first(p).get("restartCount", 0) >= 1, "app"),
    "evicted": (
        _pod("web-0", containers=[{"name": "app", "image": IMAGE,
                                   "resources": {"limits": {"ephemeral-storage": "512Ki"}}}]),
        lambda p: _status(p).get("reason") == "Evicted", "app"),
    "create_container_error": (
        _pod("web-0", containers=[{"name": "app", "image": IMAGE,
                                   "volumeMounts": [{"name": "probe", "mountPath": "/host"}]}],
             volumes=[{"name": "probe", "hostPath": {"path": "/sys/fs/lab-app"}}]),
        lambda p: (_first(p).get("state") or {}).get("waiting", {}).get("reason")
        == "CreateContainerError", "app"),
}


@pytest.mark.parametrize("kubelet_minor", SUPPORTED_MINORS)  # each minor's event wording
@pytest.mark.parametrize("cause", sorted(PLAYS))
def test_live_diagnosis_of_a_played_failure(k8s_api, kubelet, cause, kubelet_minor):
    manifest, reached, container = PLAYS[cause]
    namespace = placement.namespace_name("ada", cause.replace("_", "-"))
    cluster = k8s_api.connect()
    labels = placement.owner_labels("lab-3", "diagnose-plays", "ada")
    cluster.ensure_namespace(namespace, labels)
    cluster.apply([manifest], namespace, labels=labels)
    wait_for_pod(cluster, namespace, reached, timeout=20)
    result = run_cli("diagnose", "web-0", "-n", namespace, "--context", k8s_api.context, "-o", "json",
                     environ=k8s_api.environ)
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["cause"], report["confidence"], report["container"]) == (cause, "high", container), report
    assert report["candidates"][0]["cause"] == cause and report["candidates"][0]["for"]
    assert any(namespace in command for command in report["next"])
