"""`crashlab diagnose` and `crashlab observe`, run in-process with swapped streams."""

import io
import json
import sys
import types

import pytest

from runner.cli import main
from runner.cli.env import Environment
from tests.unit.diagnose.helpers import FIXTURES, fixture_text


def run(argv, stdin=""):
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), stdin=io.StringIO(stdin),
                      environ={"NO_COLOR": "1"})
    code = main(argv, env=env)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


@pytest.mark.parametrize("name, cause", [
    ("bad_command__describe.txt", "bad_command"),
    ("oom_killed__containerd.yaml", "oom_killed"),
    ("bad_command__docker.json", "bad_command"),
    ("oom_killed__get_pods.txt", "oom_killed"),
    ("liveness_probe__events_table.txt", "liveness_probe"),
    ("permissions__lab_logs.txt", "permissions"),
    ("app_config__describe_with_logs.txt", "app_config"),
])
def test_diagnose_file_json(name, cause):
    code, out, err = run(["diagnose", "-f", str(FIXTURES / name), "-o", "json"])
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["cause"] == cause
    assert {"cause", "confidence", "evidence", "next", "container", "missing"} <= set(data)


def test_diagnose_stdin_text_panel():
    code, out, _ = run(["diagnose", "-f", "-"], stdin=fixture_text("oom_killed__docker_describe.txt"))
    assert code == 0
    assert "Cause: oom_killed  (high confidence)" in out
    assert "status.containerStatuses[memtest].lastState.terminated.reason = OOMKilled" in out
    assert "$ kubectl describe pod memtest-5d4f9 -n default" in out
    assert "diagnosis: default/memtest-5d4f9 (container memtest)" in out


def test_separate_events_and_previous_logs_files(tmp_path):
    (tmp_path / "pod.txt").write_text(fixture_text("app_config__exit1_no_logs.txt"))
    (tmp_path / "prev.log").write_text(fixture_text("permissions__lab_logs.txt"))
    (tmp_path / "events.txt").write_text("Back-off restarting failed container app in pod x_y(1)\n")
    code, out, _ = run(["diagnose", "-f", str(tmp_path / "pod.txt"), "--events", str(tmp_path / "events.txt"),
                        "--previous-logs", str(tmp_path / "prev.log"), "-o", "json"])
    data = json.loads(out)
    assert (code, data["cause"], data["confidence"]) == (0, "permissions", "high")
    assert data["evidence"][-1].startswith("logs --previous: ")


def test_logs_only():
    code, out, _ = run(["diagnose", "--logs", str(FIXTURES / "app_config__django_logs.txt"), "-o", "json"])
    assert (code, json.loads(out)["cause"]) == (0, "app_config")


def test_unknown_is_still_exit_zero():
    code, out, _ = run(["diagnose", "-f", "-", "-o", "json"], stdin="nothing to see here\n")
    assert (code, json.loads(out)["cause"]) == (0, "unknown")


@pytest.mark.parametrize("argv, stdin, message", [
    (["diagnose", "-f", "/nonexistent/pod.txt"], "", "crashlab: error: cannot read /nonexistent/pod.txt: no such file\n"),
    (["diagnose", "-f", "-"], "  \n", "crashlab: error: cannot read stdin: it is empty\n"),
    (["diagnose", "-f", "-"], "kind: Service\napiVersion: v1\n",
     "crashlab: error: cannot read stdin: found a Service, not a pod, its events or logs\n"),
    (["diagnose"], "", "crashlab: error: give a POD name for a live diagnosis, or -f FILE ('-' for stdin) "
                       "with what kubectl printed\n"),
    (["diagnose", "web", "-f", "x"], "", "crashlab: error: give either a POD name (live) or -f FILE (offline), "
                                        "not both\n"),
])
def test_unreadable_input_is_exit_2_with_one_line(argv, stdin, message):
    code, out, err = run(argv, stdin)
    assert (code, out, err) == (2, "", message)


def test_directory_is_refused(tmp_path):
    code, _, err = run(["diagnose", "-f", str(tmp_path)])
    assert code == 2 and err == f"crashlab: error: cannot read {tmp_path}: it is a folder, not a file\n"


class FakeCluster:
    """Stands in for runner.cluster.Cluster: records calls, answers with one crash-looping pod."""

    POD = {"metadata": {"name": "web-0", "namespace": "lab"}, "status": {"containerStatuses": [
        {"name": "app", "restartCount": 2, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
         "lastState": {"terminated": {"reason": "Error", "exitCode": 1}}}]}}

    def __init__(self, calls, context):
        self.calls = calls
        calls.append(("connect", context))

    def get_pod(self, namespace, name):
        self.calls.append(("get_pod", namespace, name))
        return self.POD if name == "web-0" else None

    def list_pod_events(self, namespace, pod_name):
        self.calls.append(("list_pod_events", namespace, pod_name))
        return []

    def read_logs(self, namespace, pod, container=None, previous=False):
        self.calls.append(("read_logs", namespace, pod, container, previous))
        return "FATAL mkdir /data: Permission denied" if previous else ""

    def list_pods(self, namespace=None):
        self.calls.append(("list_pods", namespace))
        return [self.POD]

    def list_events(self, namespace=None):
        return [{"type": "Warning", "reason": "BackOff", "message": "x", "count": 3,
                 "involvedObject": {"kind": "Pod", "name": "web-0", "namespace": "lab"}}]

    def close(self):
        self.calls.append(("close",))


def fake_cluster(monkeypatch, calls):
    module = types.ModuleType("runner.cluster")
    module.connect = lambda context=None, kubeconfig=None: FakeCluster(calls, context)
    monkeypatch.setitem(sys.modules, "runner.cluster", module)
    import runner
    monkeypatch.setattr(runner, "cluster", module, raising=False)


def test_live_diagnose_calls_the_cluster_functions(monkeypatch):
    calls = []
    fake_cluster(monkeypatch, calls)
    code, out, _ = run(["diagnose", "web-0", "-n", "lab", "--context", "kind-crashlab", "-o", "json"])
    assert code == 0 and json.loads(out)["cause"] == "permissions"
    assert calls == [("connect", "kind-crashlab"), ("get_pod", "lab", "web-0"),
                     ("list_pod_events", "lab", "web-0"), ("read_logs", "lab", "web-0", "app", False),
                     ("read_logs", "lab", "web-0", "app", True), ("close",)]


def test_live_pod_not_found_is_one_line(monkeypatch):
    fake_cluster(monkeypatch, [])
    code, _, err = run(["diagnose", "nope"])
    assert (code, err) == (2, "crashlab: error: pod nope not found in namespace default: check the "
                              "name with kubectl get pods -n default\n")


def test_observe_kql():
    code, out, _ = run(["observe", "--kql", "--cluster-name", "ktb-aks"])
    assert code == 0 and out.startswith("// containers restarted more than 5 times in the last 1h\n")
    # without a name: the same queries with a placeholder, and how to fill it in (on stderr,
    # so the queries can be piped as they are)
    code, out, err = run(["observe", "--kql"])
    assert code == 0 and "--cluster-name" in err
    assert out.count('| where ClusterName == "<your-cluster-name>"') == 3
    assert err.startswith("note: replace <your-cluster-name> with your cluster's name")


def test_observe_live_tables(monkeypatch):
    calls = []
    fake_cluster(monkeypatch, calls)
    code, out, _ = run(["observe", "--context", "c1", "--min-restarts", "1", "-o", "json"])
    data = json.loads(out)
    assert code == 0 and calls[:2] == [("connect", "c1"), ("list_pods", None)]
    assert data["crashLoopBackOff"][0]["pod"] == "web-0"
    assert data["warnings"] == [{"namespace": "lab", "reason": "BackOff", "count": 3}]
    assert data["restarting"][0]["restarts"] == 2


def test_observe_from_file_text_tables():
    code, out, _ = run(["observe", "-f", str(FIXTURES / "liveness_probe__list.yaml"), "--since", "100000d"])
    assert code == 0
    assert "Containers with more than 5 restarts (last 100000d)" in out and "probe-demo" in out
    assert "Warning events by namespace" in out and "Unhealthy" in out


def test_help_does_not_import_kubernetes():
    import subprocess

    code = "from runner.cli import main; main(['--help'])"
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                            capture_output=True, text=True, check=False)
    assert "kubernetes" not in result.stderr
    assert "diagnose" in result.stdout


def test_random_text_file_is_one_line_exit_2(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Shopping list for the weekend trip to the lake house\n"
                     "Bring two sleeping bags and the blue tent from the garage\n"
                     "Ask Sam whether the boat trailer lights were fixed in spring\n"
                     "Buy bread, cheese, apples and a bag of charcoal on the way\n")
    code, out, err = run(["diagnose", "-f", str(notes)])
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert err.startswith(f"crashlab: error: cannot read {notes}: it is not kubectl output or container logs")


def test_binary_file_is_one_line_exit_2(tmp_path):
    blob = tmp_path / "core.bin"
    blob.write_bytes(bytes(range(256)) * 16)
    code, out, err = run(["diagnose", "-f", str(blob)])
    assert (code, out) == (2, "") and err.count("\n") == 1 and str(blob) in err  # runner.textfile's line
    code, out, err = run(["diagnose", "-f", "-"], stdin="\x00\x01\x02 core dump \x03\x04" * 50)
    assert (code, out, err) == (2, "", "crashlab: error: cannot read stdin: binary data, not kubectl "
                                       "output or logs\n")


def test_json_has_ranked_candidates_with_evidence_for_and_against():
    stdin = ("    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    137\n"
             "    Restart Count:  4\n")
    code, out, _ = run(["diagnose", "-f", "-", "-o", "json"], stdin=stdin)
    data = json.loads(out)
    assert code == 0 and data["confidence"] == "low"
    assert [c["cause"] for c in data["candidates"]] == ["oom_killed", "liveness_probe", "unknown"]
    assert "status.containerStatuses[0].lastState.terminated.exitCode = 137" in data["candidates"][1]["for"]
    assert data["candidates"][1]["against"]
    assert data["separate"]["command"] == "kubectl describe pod <pod>"
    assert data["name"] == "out of memory (OOM kill)"


def test_text_shows_the_cause_name_and_what_separates_the_candidates():
    stdin = ("    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    137\n")
    code, out, _ = run(["diagnose", "-f", "-"], stdin=stdin)
    assert code == 0
    assert "Cause: oom_killed  (low confidence)  out of memory (OOM kill)" in out
    assert "liveness_probe (failing liveness probe, low)" in out
    assert "To tell them apart:" in out and "$ kubectl describe pod <pod>" in out
