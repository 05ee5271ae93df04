"""The progress record as the cluster keeps it (runner.progress): pure parts."""

import json

from runner import placement, progress, results
from runner.results import records
from runner.grade import check_text

KEY = "k"


def _record():
    record = records.new_record("lab-3", "ada", ["bad-command", "oom-killed"],
                                started_at="2026-11-25T10:00:00Z")
    first, second = record["scenarios"]
    first.update(cause="bad_command", status="fixing")
    second.update(cause="oom_killed", status="investigating")
    return record


def test_causes_of_unanswered_scenarios_are_left_out_and_the_record_is_signed_again():
    shared = progress.for_cluster(_record(), KEY)
    assert [e["cause"] for e in shared["scenarios"]] == ["bad_command", None]
    assert results.verify_results(shared, KEY) == "ok"
    assert "oom_killed" not in json.dumps(shared)


def test_without_a_key_the_shared_record_is_unsigned():
    shared = progress.for_cluster(results.sign_results(_record(), KEY), None)
    assert "signature" not in shared and results.verify_results(shared, KEY) == "unsigned"


def test_the_configmap_is_labelled_as_the_labs_and_as_progress():
    configmap = progress.progress_configmap(_record(), "crashlab-ada-bad-command", key=KEY)
    labels = configmap["metadata"]["labels"]
    assert configmap["metadata"]["name"] == "crashlab-progress-lab-3"
    assert labels["app.kubernetes.io/managed-by"] == "crashlab"
    assert labels["crashlab.dev/participant"] == "ada" and labels[progress.PROGRESS_KEY] == "true"
    item = check_text(configmap["data"][progress.DATA_KEY], "cm", KEY)
    assert item.status == "ok" and item.record["participant"] == "ada"


def _namespace(name, participant):
    return {"metadata": {"name": name, "labels": {"crashlab.dev/participant": participant}}}


def test_records_are_read_as_grade_reads_files_and_must_sit_in_their_owners_namespace():
    good = progress.progress_configmap(_record(), "crashlab-ada-bad-command", key=KEY)
    edited = json.loads(good["data"][progress.DATA_KEY])
    edited["scenarios"][1]["status"] = "verified"
    tampered = {**good, "metadata": {**good["metadata"], "namespace": "crashlab-ada-x"},
                "data": {progress.DATA_KEY: json.dumps(edited)}}
    elsewhere = {**good, "metadata": {**good["metadata"], "namespace": "crashlab-bob-bad-command"}}
    foreign = {"metadata": {"name": "x", "namespace": "n", "labels": {"team": "a"}},
               "data": {progress.DATA_KEY: "{}"}}
    empty = {**good, "data": {}}
    found = progress.records_on_cluster(
        [good, tampered, elsewhere, foreign, empty],
        [_namespace("crashlab-ada-bad-command", "ada"),
         _namespace("crashlab-bob-bad-command", "bob")], KEY)
    assert [(c.source, c.status) for c in found] == [
        ("configmap/crashlab-ada-bad-command/crashlab-progress-lab-3", "ok"),
        ("configmap/crashlab-ada-x/crashlab-progress-lab-3", "tampered"),
        ("configmap/crashlab-bob-bad-command/crashlab-progress-lab-3", "invalid"),
        ("configmap/crashlab-ada-bad-command/crashlab-progress-lab-3", "invalid")]
    assert "names participant 'ada' but sits in bob's namespace" in found[2].reason
    assert "no record.json" in found[3].reason


def test_publishing_happens_only_in_namespaces_workshop_prepare_made():
    from runner import workshop

    prepared = {"metadata": {"labels": workshop.workshop_labels("lab-3", "s", "ada")}}
    own = {"metadata": {"labels": placement.owner_labels("lab-3", "s", "ada")}}
    assert progress.publishes_to(prepared) and not progress.publishes_to(own)
    assert not progress.publishes_to(None)
