"""crashlab reset (break again, clear the record, back up the file) and crashlab clean."""

import pytest

from runner import placement
from tests.cli.helpers import run_cli
from tests.harness.fixtures import main_status, wait_for_pod
from tests.session.helpers import PARTICIPANT, RIGHT, Lab, namespace


@pytest.fixture
def lab(tmp_path, k8s_api, kubelet):
    return Lab(tmp_path, k8s_api)


def _cli(lab: Lab, *argv):
    return run_cli(*argv, "--context", lab.api.context, environ=lab.api.environ)


def test_reset_breaks_it_again_and_keeps_the_learners_file(lab, k8s_api):
    lab.write_fix("oom-killed", lambda objects: None)
    assert lab.run("--only", "oom-killed").code == 0
    assert lab.entry("oom-killed")["status"] == "verified"
    edited = lab.workspace_file("oom-killed").read_text()

    result = _cli(lab, "reset", "oom-killed", "--participant", PARTICIPANT,
                  "--results", str(lab.root / "results"), "--workspace",
                  str(lab.root / "workspace"))

    assert result.code == 0, result.stderr
    entry = lab.entry("oom-killed")
    assert entry["status"] == "pending" and entry["verification"] is None
    assert entry["quiz"]["cause"]["attempts"] == []
    backups = list(lab.workspace_file("oom-killed").parent.glob("report-builder.yaml.*.bak"))
    assert len(backups) == 1 and backups[0].read_text() == edited
    assert "48Mi" in lab.workspace_file("oom-killed").read_text()
    assert f"Your edited manifest is kept as {backups[0]}" in result.stdout
    cluster = k8s_api.connect()
    wait_for_pod(cluster, namespace("oom-killed"),
                 lambda pod: ((main_status(pod).get("lastState") or {}).get("terminated") or {})
                 .get("reason") == "OOMKilled")


def test_reset_of_a_changed_configmap_restarts_the_workload(lab, k8s_api):
    assert lab.run("--solve", "--only", "invalid-app-config").code == 0
    result = _cli(lab, "reset", "invalid-app-config", "--participant", PARTICIPANT,
                  "--results", str(lab.root / "results"), "--workspace",
                  str(lab.root / "workspace"))
    assert result.code == 0, result.stderr
    cluster = k8s_api.connect()
    wait_for_pod(cluster, namespace("invalid-app-config"),
                 lambda pod: main_status(pod).get("restartCount", 0) >= 1)


def test_clean_deletes_only_the_labs_namespaces(lab, k8s_api):
    assert lab.run("--solve", "--only", "bad-command").code == 0
    cluster = k8s_api.connect()
    other = placement.owner_labels("lab-3", "bad-command", "bob")
    cluster.ensure_namespace(placement.namespace_name("bob", "bad-command"), other)
    k8s_api.emulator.store.create("namespaces", "", {  # a foreign one: the lab cannot create it
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "crashlab-ada-not-ours"}},
        False)

    result = _cli(lab, "clean", "--participant", PARTICIPANT)

    assert result.code == 0, result.stderr
    names = {ns["metadata"]["name"] for ns in cluster.list("Namespace")}
    assert not any(name.startswith("crashlab-ada-") and name != "crashlab-ada-not-ours"
                   for name in names)
    assert {"crashlab-bob-bad-command", "crashlab-ada-not-ours"} <= names
    assert "crashlab-ada-storefront" in result.stdout

    result = _cli(lab, "clean", "--all")
    names = {ns["metadata"]["name"] for ns in cluster.list("Namespace")}
    assert "crashlab-bob-bad-command" not in names and "crashlab-ada-not-ours" in names


def test_bad_participant_name_is_refused(lab):
    result = lab.run("--solve", "--participant", "Ada Lovelace")
    assert result.code == 2
    assert "--participant 'Ada Lovelace' must be lower-case letters" in result.stderr


def test_reset_keeps_the_earlier_tries_and_grading_shows_it(lab, k8s_api):
    lab.write_fix("oom-killed", lambda objects: None)
    answers = {"oom-killed": {**RIGHT["oom-killed"], "menu": ["hint", "quiz"]}}
    assert lab.run("--only", "oom-killed", answers=answers).code == 0
    before = lab.entry("oom-killed")
    reset = ("reset", "oom-killed", "--participant", PARTICIPANT, "--results",
             str(lab.root / "results"), "--workspace", str(lab.root / "workspace"))

    assert _cli(lab, *reset).code == 0
    assert _cli(lab, *reset).code == 0

    entry = lab.entry("oom-killed")
    assert entry["status"] == "pending" and entry["hintsShown"] == 0
    assert [r["previous"]["status"] for r in entry["resets"]] == ["verified", "pending"]
    first = entry["resets"][0]["previous"]
    assert first["quiz"] == before["quiz"] and first["hintsShown"] == 1
    assert first["verification"] == before["verification"]
    graded = run_cli("grade", str(lab.root / "results"), environ=lab.api.environ)
    assert graded.code == 0, graded.stderr
    assert "reset x2" in graded.stdout
    assert "reset ×2" in (lab.root / "results" / "report.html").read_text()
