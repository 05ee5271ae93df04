"""The whole lab, unattended, against the HTTP API emulator and the test kubelet."""

import re

import pytest

from runner.catalog import load_catalog
from tests.session.helpers import CATALOG, PARTICIPANT, Lab, namespace

SCENARIOS = CATALOG.lab("lab-3").scenario_ids
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def lab(tmp_path, k8s_api, kubelet):
    return Lab(tmp_path, k8s_api)


def test_whole_lab_with_answers_and_solve(lab, k8s_api):
    result = lab.run("--solve")

    assert result.code == 0, result.stderr
    out = result.stdout
    # a first run opens with the lab's intro: the pod lifecycle and the troubleshooting flowchart
    assert "Lab 3 - Understanding and troubleshooting CrashLoopBackOff" in out
    assert "10 s, 20 s, 40 s... up to 5 minutes" in out and "kubectl logs --previous" in out
    assert "Deploying 5 broken scenario(s): 5 deployed, 0 already there" in out
    # the symptom's summary names the cause, so it is shown only after the quiz
    assert "report-builder is crash-looping now" in out
    summary = "What the broken pod showed: lastState.terminated.reason OOMKilled"
    assert out.index(summary) > out.index("Right. The process grew past the container's memory limit")
    for scenario_id in SCENARIOS:
        assert f"Verified: " in out and f"in {namespace(scenario_id)} stayed Ready" in out
    # the wrong first answer gets its feedback and a line about the learner's own pod
    assert "An application error exits on its own" in out
    assert re.search(r"Your pod: report-builder-\S+: your container's last state was OOMKilled, "
                     r"exit code 137, restarted \d+ times?", out)
    assert "a changed ConfigMap does not restart pods" in out
    assert "$ kubectl get pod -n crashlab-ada-report-builder -l app=report-builder -o jsonpath=" \
           "'{.items[0].status.containerStatuses[0].lastState}'" in out
    assert "restart timeline of report-builder-" in out
    assert re.search(r"oom-killed\s+revealed\s+2/1\s+0\s+\d+s\s+solution", out)


def test_results_file_field_by_field(lab, k8s_api):
    assert lab.run("--solve").code == 0
    record = lab.record()
    assert record["schema"] == "crashlab.dev/results/v1"
    assert record["lab"] == "lab-3" and record["participant"] == PARTICIPANT
    assert record["cluster"] == {"context": k8s_api.context, "server": k8s_api.url,
                                 "kind": False}
    assert TIME.match(record["startedAt"]) and TIME.match(record["updatedAt"])
    assert [e["id"] for e in record["scenarios"]] == list(SCENARIOS)
    for entry in record["scenarios"]:
        scenario = CATALOG.scenario(entry["id"])
        assert entry["cause"] == scenario.cause
        assert entry["namespace"] == namespace(entry["id"])
        # --solve applies the reference solution for the learner: docs/results.md calls that
        # "revealed", with the fix still verified on the cluster
        assert entry["status"] == "revealed" and entry["solutionRevealed"] is True
        assert entry["fixAppliedBy"] == "solution"
        for key in ("startedAt", "diagnosedAt", "fixedAt"):
            assert TIME.match(entry[key]), key
        assert entry["timeToDiagnoseSeconds"] >= 0 and entry["timeToFixSeconds"] >= 0
        assert entry["hintsShown"] == 0 and entry["evidenceShown"] == 0
        assert entry["quiz"]["evidence"]["attempts"][-1]["correct"] is True
        check = entry["verification"]
        assert check["podName"].startswith(scenario.workload.name + "-")
        assert check["podUid"] and check["restartCount"] == 0
        assert check["brokenRestartCount"] >= 1
        assert check["windowSeconds"] == 1
        assert check["guards"] == [guard.id for guard in scenario.guards]
        assert check["symptom"], "the broken pod's evidence lines are kept"
    oom = next(e for e in record["scenarios"] if e["id"] == "oom-killed")
    assert [(a["answer"], a["correct"]) for a in oom["quiz"]["cause"]["attempts"]] == \
        [("app_config", False), ("oom_killed", True)]
    assert any("OOMKilled" in line for line in oom["verification"]["symptom"])


def test_workspace_copies_of_the_broken_manifests(lab):
    assert lab.run("--solve", "--only", "oom-killed").code == 0
    text = lab.workspace_file("oom-killed").read_text()
    assert "namespace: crashlab-ada-report-builder" in text and "48Mi" in text
    assert load_catalog().scenario("oom-killed")  # the catalogue still loads next to it


def test_missing_answer_is_a_clear_error(lab):
    result = lab.run("--solve", "--only", "oom-killed", answers={"bad-command": "bad_command"})
    assert result.code == 2
    assert "has no cause answer for scenario oom-killed" in result.stderr
    assert "\n" == result.stderr[-1] and result.stderr.count("\n") == 1
