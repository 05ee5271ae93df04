"""`crashlab diagnose POD` and `crashlab observe` against the API emulator, over real HTTP.

Each scenario's broken manifest is deployed; the test kubelet plays what a real
node reports for it; the CLI reads the live pod, its events and its logs and must
name the scenario's cause.
"""

import json
import time

import pytest

from runner import placement
from runner.catalog import load_catalog, render_manifests
from tests.cli.helpers import run_cli
from tests.harness.fixtures import main_status, wait_for_pod
from tests.harness.kubelet import Kubelet

CATALOG = load_catalog()


def _deploy_broken(k8s_api, scenario_id):
    scenario = CATALOG.scenario(scenario_id)
    namespace = placement.namespace_name("ada", scenario_id)
    cluster = k8s_api.connect()
    labels = placement.owner_labels("lab-3", scenario_id, "ada")
    cluster.ensure_namespace(namespace, labels)
    cluster.apply(render_manifests(scenario, "broken", namespace=namespace, participant="ada"), namespace)
    selector = f"app={scenario.workload.name}"  # a backend may share the namespace
    if scenario.cause == "readiness_probe":  # the look-alike that never restarts
        pod = wait_for_pod(cluster, namespace, lambda p: "running" in main_status(p).get("state", {}),
                           timeout=20, label_selector=selector)
        _wait_for_event(cluster, namespace, pod, "Unhealthy")
        return scenario, namespace, pod
    pod = wait_for_pod(cluster, namespace, lambda p: main_status(p).get("restartCount", 0) >= 2, timeout=20,
                       label_selector=selector)
    return scenario, namespace, pod


def _wait_for_event(cluster, namespace, pod, reason, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not any(e.get("reason") == reason
                  for e in cluster.list_pod_events(namespace, pod["metadata"]["name"])):
        assert time.monotonic() < deadline, f"no {reason} event for {pod['metadata']['name']}"
        time.sleep(0.1)


@pytest.mark.parametrize("scenario_id", sorted(CATALOG.scenarios))
def test_live_diagnosis_names_the_scenario_cause(k8s_api, kubelet, scenario_id):
    scenario, namespace, pod = _deploy_broken(k8s_api, scenario_id)
    result = run_cli("diagnose", pod["metadata"]["name"], "-n", namespace, "--context", k8s_api.context,
                     "-o", "json", environ=k8s_api.environ)
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["cause"] == scenario.diagnosed_cause, report
    assert report["evidence"] and all(isinstance(line, str) for line in report["evidence"])
    assert any(namespace in command for command in report["next"])


def test_live_diagnosis_of_a_missing_pod_is_one_line(k8s_api):
    result = run_cli("diagnose", "nope", "-n", "default", "--context", k8s_api.context, environ=k8s_api.environ)
    assert result.code == 2 and result.stderr.count("\n") == 1 and "pod nope not found" in result.stderr


def _backing_off(pod):
    return (main_status(pod).get("state") or {}).get("waiting", {}).get("reason") == "CrashLoopBackOff"


def test_observe_lists_crashlooping_pods_and_warning_events(k8s_api):
    # Real-time back-off (10 s) so both pods sit in CrashLoopBackOff while observe looks:
    # "in CrashLoopBackOff now" is a moment's truth.
    node = Kubelet(k8s_api.emulator, k8s_api.url, time_scale=1.0).start()
    try:
        cluster = k8s_api.connect()
        for scenario_id in ("bad-command", "oom-killed"):
            namespace = placement.namespace_name("ada", scenario_id)
            cluster.ensure_namespace(namespace, placement.owner_labels("lab-3", scenario_id, "ada"))
            cluster.apply(render_manifests(CATALOG.scenario(scenario_id), "broken", namespace=namespace,
                                           participant="ada"), namespace)
        for scenario_id in ("bad-command", "oom-killed"):
            wait_for_pod(cluster, placement.namespace_name("ada", scenario_id), _backing_off, timeout=20)
        result = run_cli("observe", "--context", k8s_api.context, "-o", "json", environ=k8s_api.environ)
    finally:
        node.stop()
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    looping = {(row["namespace"], row["container"]) for row in report["crashLoopBackOff"]}
    assert looping == {("crashlab-ada-bad-command", "app"), ("crashlab-ada-oom-killed", "app")}
    warnings = {(row["namespace"], row["reason"]): row["count"] for row in report["warnings"]}
    assert warnings[("crashlab-ada-bad-command", "Failed")] >= 1
    assert warnings[("crashlab-ada-oom-killed", "BackOff")] >= 1
    counts = [row["count"] for row in report["warnings"]]
    assert counts == sorted(counts, reverse=True)
