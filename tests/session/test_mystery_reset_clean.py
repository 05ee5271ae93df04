"""`crashlab reset mystery-N` and `crashlab clean --lab mystery`: a mystery round's namespaces,
workspace and results handled as a lab's are, against the API emulator and the test kubelet."""

import json
import shlex

import pytest
import yaml

from runner import mystery, ownership, placement
from runner.catalog import render_manifest_text
from tests.cli.helpers import run_cli
from tests.session.helpers import CATALOG, PARTICIPANT
from tests.session.test_mystery_round import SEED, right_answers, run_round


@pytest.fixture
def drawn():
    return mystery.draw_scenarios(CATALOG, 4, SEED)


def _reset(tmp_path, k8s_api, *argv):
    return run_cli("reset", *argv, "--context", k8s_api.context, "--participant", PARTICIPANT,
                   "--results", str(tmp_path / "results"),
                   "--workspace", str(tmp_path / "workspace"), environ=k8s_api.environ)


def _record(tmp_path) -> dict:
    return json.loads((tmp_path / "results" / f"mystery-{PARTICIPANT}.json").read_text())


def _resume(tmp_path, k8s_api) -> str:
    return shlex.join(["crashlab", "run", "lab-3", "--mystery", "4", "--seed", SEED,
                       "--participant", PARTICIPANT, "--context", k8s_api.context,
                       "--results", str(tmp_path / "results"),
                       "--workspace", str(tmp_path / "workspace")])


def test_reset_breaks_one_mystery_service_again_without_naming_it(tmp_path, k8s_api, kubelet,
                                                                  drawn):
    assert run_round(tmp_path, k8s_api, right_answers(drawn)).code == 0
    secret = CATALOG.scenario(drawn.scenario_ids[1])
    workspace_file = placement.workspace_file(tmp_path / "workspace" / "mystery", "mystery-2")
    workspace_file.write_text(workspace_file.read_text() + "# my edit\n")
    cluster = k8s_api.connect()
    name = secret.workload.name
    cluster.delete("Deployment", name, f"crashlab-{PARTICIPANT}-mystery-2")

    result = _reset(tmp_path, k8s_api, "mystery-2")

    assert result.code == 0, result.stderr
    heading = f"Mystery 2: {name} (mystery-2)"
    assert f"Deployed the broken {heading} again in crashlab-{PARTICIPANT}-mystery-2." \
        in result.stdout
    assert f"Started {heading} again in {tmp_path / 'results' / 'mystery-ada.json'}" \
        in result.stdout
    assert f"Play it again with: {_resume(tmp_path, k8s_api)}\n" in result.stdout
    # the service is unsolved again: neither its catalogue id nor its cause is printed or kept
    assert secret.id not in result.stdout and secret.cause not in result.stdout
    record = _record(tmp_path)
    entry = record["scenarios"][1]
    assert entry["id"] == "mystery-2" and entry["status"] == "pending"
    assert entry["cause"] is None and record["mystery"]["draw"][1] == {"id": "mystery-2"}
    assert f'"{secret.id}"' not in json.dumps(entry)
    assert [r["previous"]["status"] for r in entry["resets"]] == ["revealed"]
    assert [e["status"] for e in record["scenarios"]] == ["revealed", "pending", "revealed",
                                                          "revealed"]
    assert record["mystery"]["draw"][0]["scenario"] == drawn.scenario_ids[0]
    # the broken manifest is back on the cluster and in the workspace, the edit kept aside
    round_scenario = mystery.mystery_catalog(CATALOG, drawn).scenario("mystery-2")
    broken = render_manifest_text(round_scenario, "broken",
                                  namespace=f"crashlab-{PARTICIPANT}-mystery-2",
                                  image="crashlab/lab-app:0.1.0", participant=PARTICIPANT,
                                  lab="mystery")
    assert workspace_file.read_text() == broken
    backups = list(workspace_file.parent.glob("mystery-2.yaml.*.bak"))
    assert len(backups) == 1 and backups[0].read_text().endswith("# my edit\n")
    deployment = cluster.get("Deployment", name, f"crashlab-{PARTICIPANT}-mystery-2")
    wanted = next(d for d in yaml.safe_load_all(broken) if d and d["kind"] == "Deployment")
    assert deployment["spec"]["template"]["spec"]["containers"] == \
        wanted["spec"]["template"]["spec"]["containers"]
    assert deployment["metadata"]["labels"][ownership.LAB_KEY] == "mystery"

    again = run_round(tmp_path, k8s_api, right_answers(drawn))
    assert again.code == 0, again.stderr
    assert f"Resuming mystery for ada at {heading}." in again.stdout
    record = _record(tmp_path)
    assert record["scenarios"][1]["status"] == "revealed"
    assert record["scenarios"][1]["cause"] == secret.cause
    assert record["mystery"] == drawn.as_record(CATALOG)
    assert len(record["scenarios"][1]["resets"]) == 1


def test_reset_without_a_round_or_of_another_service_is_one_line(tmp_path, k8s_api, kubelet,
                                                                 drawn):
    result = _reset(tmp_path, k8s_api, "mystery-1")
    assert result.code == 2
    assert result.stderr == (f"crashlab: error: {tmp_path / 'results' / 'mystery-ada.json'}: "
                             "no mystery round to reset; start one with: crashlab run lab-3 "
                             "--mystery N\n")
    assert run_round(tmp_path, k8s_api, right_answers(drawn)).code == 0
    result = _reset(tmp_path, k8s_api, "mystery-9")
    assert result.code == 2
    assert result.stderr == ("crashlab: error: no scenario mystery-9 in mystery; choose from "
                             "mystery-1, mystery-2, mystery-3, mystery-4\n")
    result = _reset(tmp_path, k8s_api, "--lab", "mystery", "report-builder")
    assert result.code == 2 and "no scenario report-builder in mystery" in result.stderr


def test_clean_deletes_only_the_rounds_own_namespaces(tmp_path, k8s_api, kubelet, drawn):
    assert run_round(tmp_path, k8s_api, right_answers(drawn)).code == 0
    cluster = k8s_api.connect()
    lab_ns = placement.namespace_name(PARTICIPANT, "report-builder")
    cluster.ensure_namespace(lab_ns, placement.owner_labels("lab-3", "k", PARTICIPANT))
    bobs = placement.namespace_name("bob", "mystery-1")
    cluster.ensure_namespace(bobs, placement.owner_labels("mystery", "k", "bob"))
    k8s_api.emulator.store.create("namespaces", "", {   # not the lab's: never deleted
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": f"crashlab-{PARTICIPANT}-mystery-9"}}, False)

    first = run_cli("clean", "--participant", PARTICIPANT, "--context", k8s_api.context,
                    environ=k8s_api.environ)   # lab-3's, as before: the round is kept
    assert first.code == 0, first.stderr
    assert f"Deleted 1 namespace(s) of lab-3 for {PARTICIPANT}: {lab_ns}." in first.stdout
    assert ("Kept the namespaces of mystery; remove them with: crashlab clean --lab mystery "
            f"--participant {PARTICIPANT} --context {k8s_api.context}\n") in first.stdout
    assert f"crashlab-{PARTICIPANT}-mystery-1" in {
        ns["metadata"]["name"] for ns in cluster.list("Namespace")}

    result = run_cli("clean", "--lab", "mystery", "--participant", PARTICIPANT, "--context",
                     k8s_api.context, environ=k8s_api.environ)

    assert result.code == 0, result.stderr
    mine = ", ".join(f"crashlab-{PARTICIPANT}-mystery-{n}" for n in range(1, 5))
    assert f"Deleted 4 namespace(s) of mystery for {PARTICIPANT}: {mine}." in result.stdout
    names = {ns["metadata"]["name"] for ns in cluster.list("Namespace")}
    assert not any(f"crashlab-{PARTICIPANT}-mystery-{n}" in names for n in range(1, 5))
    assert {bobs, f"crashlab-{PARTICIPANT}-mystery-9"} <= names
    assert "Kept the namespaces" not in result.stdout
    assert (tmp_path / "results" / f"mystery-{PARTICIPANT}.json").exists(), \
        "clean removes namespaces, never the learner's results"
