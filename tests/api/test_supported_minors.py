"""The lab against each supported Kubernetes minor's kubelet wording (1.33 to the pinned
one): the session, selftest and live diagnose all work whichever wording the node uses."""

import json

import pytest

from runner import placement
from runner.catalog import load_catalog, render_manifests
from runner.kind.versions import SUPPORTED_MINORS
from runner.selftest import Options, run_selftest
from tests.cli.helpers import run_cli
from tests.harness.fixtures import main_status, wait_for_pod
from tests.harness.wording import WORDINGS
from tests.session.helpers import Lab

CATALOG = load_catalog()
FAST = Options(stability_window=0.6, recheck=0.2, fix_grace=20)


@pytest.fixture(params=SUPPORTED_MINORS)
def kubelet_minor(request):
    return request.param


def _broken(k8s_api, scenario_id: str, restarts: int = 2):
    namespace = placement.namespace_name("ada", scenario_id)
    cluster = k8s_api.connect()
    cluster.ensure_namespace(namespace, placement.owner_labels("lab-3", scenario_id, "ada"))
    cluster.apply(render_manifests(CATALOG.scenario(scenario_id), "broken",
                                   namespace=namespace, participant="ada"), namespace)
    pod = wait_for_pod(cluster, namespace,
                       lambda p: main_status(p).get("restartCount", 0) >= restarts, timeout=20)
    return cluster, namespace, pod


def test_the_kubelet_speaks_the_minors_wording(k8s_api, kubelet, kubelet_minor):
    cluster, namespace, pod = _broken(k8s_api, "invalid-app-config")
    name = pod["metadata"]["name"]
    messages = {(e["reason"], e["message"]) for e in cluster.list_pod_events(namespace, name)}
    wording = WORDINGS[kubelet_minor]

    assert ("Created", wording.created_message("app")) in messages
    assert ("Started", wording.started_message("app")) in messages
    assert ("BackOff", f"Back-off restarting failed container app in pod {name}_{namespace}"
                       f"({pod['metadata']['uid']})") in messages
    assert cluster.ping() == wording.git_version


@pytest.mark.parametrize("scenario_id", CATALOG.labs["lab-3"].scenario_ids)
def test_live_diagnose_names_the_cause_on_each_minor(k8s_api, kubelet, kubelet_minor,
                                                     scenario_id):
    _, namespace, pod = _broken(k8s_api, scenario_id)

    result = run_cli("diagnose", pod["metadata"]["name"], "-n", namespace, "--context",
                     k8s_api.context, "-o", "json", environ=k8s_api.environ)

    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["cause"] == CATALOG.scenario(scenario_id).cause


def test_selftest_is_green_on_each_minor(k8s_api, kubelet, kubelet_minor):
    scenarios = [CATALOG.scenarios[s] for s in CATALOG.labs["lab-3"].scenario_ids]

    outcomes = run_selftest(k8s_api.connect, scenarios, FAST)

    assert [o.failure_text() for o in outcomes if not o.ok] == []
    assert [o.diagnosed for o in outcomes] == [s.cause for s in scenarios]


def test_the_session_runs_the_lab_on_each_minor(k8s_api, kubelet, kubelet_minor, tmp_path):
    lab = Lab(tmp_path, k8s_api)

    result = lab.run("--solve")

    assert result.code == 0, result.stderr
    record = lab.record()
    assert [e["id"] for e in record["scenarios"]] == list(CATALOG.labs["lab-3"].scenario_ids)
    for entry in record["scenarios"]:
        # --solve: "revealed", the quiz answered right and the fix verified on the cluster
        assert entry["status"] == "revealed" and entry["fixedAt"], entry
        assert entry["quiz"]["evidence"]["attempts"][-1]["correct"] is True
        assert entry["verification"]["brokenRestartCount"] >= 1


def test_a_node_with_a_lowered_back_off_cap_is_read_from_what_it_does(k8s_api):
    """KubeletCrashLoopBackOffMax (beta in 1.35): a node may cap the back-off below 300 s
    (`crashLoopBackOff.maxContainerRestartPeriod`); the kubelet's own waiting message
    says the delay it uses, and the diagnosis does not depend on it."""
    import re

    from tests.harness.fixtures import TIME_SCALE
    from tests.harness.kubelet import Kubelet

    node = Kubelet(k8s_api.emulator, k8s_api.url, time_scale=TIME_SCALE, minor="1.35",
                   backoff_cap=20).start()
    try:
        cluster, namespace, pod = _broken(k8s_api, "invalid-app-config", restarts=1)
        delays = {}  # restartCount -> the delay kubelet said it waits
        for _, seen in cluster.watch_pods(namespace, timeout=10):
            status = main_status(seen)
            waiting = status.get("state", {}).get("waiting", {})
            found = re.match(r"back-off (\d+)s restarting failed", waiting.get("message", ""))
            if found:
                delays[status["restartCount"]] = int(found.group(1))
            if len(delays) >= 3:
                break
        result = run_cli("diagnose", pod["metadata"]["name"], "-n", namespace, "--context",
                         k8s_api.context, "-o", "json", environ=k8s_api.environ)
    finally:
        node.stop()

    # uncapped it would be 10, 20, 40
    assert [delays[r] for r in sorted(delays)][:3] == [10, 20, 20]
    assert json.loads(result.stdout)["cause"] == "app_config"
