"""`crashlab run` with nothing but the rights `workshop prepare` grants."""

import json

import yaml

from tests.cli.helpers import run_cli

ANSWERS = {"oom-killed": {"cause": "oom_killed", "evidence": "oomkilled-137"}}


def test_the_lab_runs_with_a_participant_kubeconfig(k8s_api, kubelet, tmp_path, monkeypatch):
    result = _run_prepared(k8s_api, tmp_path, monkeypatch)
    denied = [f"{who}: {a.verb} {a.full_resource} {a.namespace or '(cluster)'}"
              for who, a in k8s_api.emulator.rbac.denied]
    assert result.code == 0, (result.stderr[-2000:], denied)
    # The only refusals: creating namespaces that prepare already made (the lab then reuses them).
    assert denied and all(" create namespaces (cluster)" in line for line in denied), denied
    record = json.loads((tmp_path / "results" / "lab-3-ada.json").read_text())
    entry = next(e for e in record["scenarios"] if e["id"] == "oom-killed")
    assert entry["status"] == "revealed" and entry["verification"]["podName"]  # --solve: fixed by the reference solution


def test_a_participant_cleans_their_namespaces_without_namespace_rights(k8s_api, kubelet, tmp_path,
                                                                          monkeypatch):
    out, answers = _prepare(k8s_api, tmp_path, monkeypatch, ["ada", "bob"], ANSWERS)
    as_ada = {"KUBECONFIG": str(out / "ada.kubeconfig"), "NO_COLOR": "1"}
    assert run_cli("run", "lab-3", "--context", k8s_api.context, "--participant", "ada", "--answers",
                   str(answers), "--solve", "--yes", "--stability-window", "1", "--only", "oom-killed",
                   environ=as_ada).code == 0
    store = k8s_api.emulator.store
    assert store.list("deployments", "crashlab-ada-report-builder")[0]

    result = run_cli("clean", "--participant", "ada", "--context", k8s_api.context, environ=as_ada)

    assert result.code == 0, result.stderr
    assert "removed the lab's objects from" in result.stdout and "crashlab-ada-report-builder" in result.stdout
    assert not store.list("deployments", "crashlab-ada-report-builder")[0]
    assert not store.list("configmaps", "crashlab-ada-invalid-app-config", "app.kubernetes.io/managed-by")[0]
    assert store.exists("namespaces", "", "crashlab-ada-report-builder")  # the instructor's to delete
    assert store.exists("namespaces", "", "crashlab-bob-report-builder")


def test_the_session_publishes_its_record_to_the_participants_namespace(k8s_api, kubelet, tmp_path,
                                                                       monkeypatch):
    from runner import placement, progress
    from runner.catalog import load_catalog

    result = _run_prepared(k8s_api, tmp_path, monkeypatch)
    assert result.code == 0, result.stderr[-2000:]
    lab = load_catalog(manifests=False).labs["lab-3"]
    home = placement.namespace_name("ada", lab.slug(lab.scenario_ids[0]))
    stored = k8s_api.emulator.store.get("configmaps", home, progress.configmap_name("lab-3"))
    shared = json.loads(stored["data"][progress.DATA_KEY])
    local = json.loads((tmp_path / "results" / "lab-3-ada.json").read_text())
    assert shared["participant"] == "ada"
    assert [e["status"] for e in shared["scenarios"]] == [e["status"] for e in local["scenarios"]]
    assert "could not" not in result.stdout  # the write was allowed: nothing said about it


def _prepare(k8s_api, tmp_path, monkeypatch, participants, answers, *prepare_args):
    """`workshop prepare` for `participants`, from tmp_path; returns (kubeconfigs, answers file)."""
    names = tmp_path / "class.txt"
    names.write_text("".join(f"{name}\n" for name in participants))
    out = tmp_path / "kubeconfigs"
    assert run_cli("workshop", "prepare", "--participants", str(names), "--out", str(out),
                   *prepare_args, environ=k8s_api.environ).code == 0
    monkeypatch.chdir(tmp_path)
    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text(yaml.safe_dump(answers))
    return out, answers_file


def _run_prepared(k8s_api, tmp_path, monkeypatch):
    """`workshop prepare` for ada, then ada's unattended run of oom-killed with her kubeconfig."""
    out, answers = _prepare(k8s_api, tmp_path, monkeypatch, ["ada"], ANSWERS)
    return run_cli("run", "lab-3", "--context", k8s_api.context, "--participant", "ada",
                   "--answers", str(answers), "--solve", "--yes", "--stability-window", "1",
                   "--only", "oom-killed",
                   environ={"KUBECONFIG": str(out / "ada.kubeconfig"), "NO_COLOR": "1"})


def test_a_participant_cleans_their_mystery_round_without_namespace_rights(k8s_api, kubelet,
                                                                         tmp_path, monkeypatch):
    from runner import mystery
    from runner.catalog import load_catalog
    from tests.session.test_mystery_round import right_answers

    drawn = mystery.draw_scenarios(load_catalog(manifests=False), 3, "wed")
    out, answers = _prepare(k8s_api, tmp_path, monkeypatch, ["ada", "bob"], right_answers(drawn),
                            "--mystery", "3", "--seed", "wed")
    as_ada = {"KUBECONFIG": str(out / "ada.kubeconfig"), "NO_COLOR": "1"}
    played = run_cli("run", "lab-3", "--mystery", "3", "--seed", "wed", "--context",
                     k8s_api.context, "--participant", "ada", "--answers", str(answers),
                     "--solve", "--yes", "--stability-window", "1", environ=as_ada)
    assert played.code == 0, played.stderr[-2000:]
    store = k8s_api.emulator.store
    assert all(store.list("deployments", f"crashlab-ada-mystery-{n}")[0] for n in (1, 2, 3))

    result = run_cli("clean", "--lab", "mystery", "--participant", "ada", "--context",
                     k8s_api.context, environ=as_ada)

    assert result.code == 0, result.stderr
    assert ("removed the lab's objects from 3 namespace(s) of ada instead: "
            "crashlab-ada-mystery-1, crashlab-ada-mystery-2, crashlab-ada-mystery-3.") \
        in result.stdout
    assert not any(store.list("deployments", f"crashlab-ada-mystery-{n}")[0] for n in (1, 2, 3))
    assert store.exists("namespaces", "", "crashlab-ada-mystery-1")  # the instructor's to delete
    assert store.exists("namespaces", "", "crashlab-bob-mystery-1")
