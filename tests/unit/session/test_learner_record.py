"""What the learner's results file may hold before a quiz (records.for_learner): no cause until
records.cause_known, the one rule the progress ConfigMap (runner.progress) uses too."""

import json

from runner import progress, results
from runner.catalog import load_catalog
from runner.grade import check_text
from runner.results import records, schema_problems

CATALOG = load_catalog(manifests=False)
KEY = "k"


def _record():
    rows = [(s.id, s.cause, f"crashlab-ada-{s.slug}") for s in CATALOG.lab_scenarios("lab-3")]
    return records.new_record("lab-3", "ada", rows, started_at="2026-11-25T10:00:00Z")


def _cause_words(record) -> list[str]:
    """Every catalogue cause id found anywhere in the record's JSON."""
    text = json.dumps(record)
    return sorted(s.cause for s in CATALOG.lab_scenarios("lab-3") if f'"{s.cause}"' in text)


def test_no_cause_is_written_before_its_quiz():
    record = _record()
    for item in record["scenarios"]:
        records.start(item)
        records.add_attempt(item, "cause", "image_pull", False)   # a wrong try names no cause
    shown = records.for_learner(record)
    assert [item["cause"] for item in shown["scenarios"]] == [None] * 5
    assert _cause_words(shown) == []
    # named by the service (its namespace's slug), never by the id, which names the cause
    assert [item["id"] for item in shown["scenarios"]] == [
        s.slug for s in CATALOG.lab_scenarios("lab-3")]
    assert not any(f'"{s.id}"' in json.dumps(shown) for s in CATALOG.lab_scenarios("lab-3"))
    assert schema_problems(shown) == []
    assert record["scenarios"][0]["cause"] == "bad_command", "the session's own copy keeps it"


def test_the_cause_is_written_once_named_revealed_or_past_the_quiz():
    record = _record()
    named, revealed, fixing, verified, skipped = record["scenarios"]
    records.add_attempt(named, "cause", named["cause"], True)        # still "investigating"
    records.revealed(revealed)                                       # Reveal, before the quiz
    records.diagnosed(fixing)
    verified["status"] = "verified"
    records.skipped(skipped)                                         # gave up, never answered
    shown = records.for_learner(record)
    assert [item["cause"] for item in shown["scenarios"]] == [
        named["cause"], revealed["cause"], fixing["cause"], verified["cause"], None]
    assert [item["id"] for item in shown["scenarios"]] == [
        named["id"], revealed["id"], fixing["id"], verified["id"],
        CATALOG.scenario(skipped["id"]).slug]


def test_earlier_tries_kept_by_a_reset_follow_the_same_rule():
    record = _record()
    first, second = record["scenarios"][:2]
    records.diagnosed(first)
    records.reset_entry(record, first["id"], at="2026-11-25T10:05:00Z")
    records.start(second)
    records.reset_entry(record, second["id"], at="2026-11-25T10:06:00Z")
    shown = records.for_learner(record)
    again_first, again_second = shown["scenarios"][:2]
    assert again_first["cause"] is None and again_second["cause"] is None
    assert again_first["resets"][0]["previous"]["cause"] == "bad_command"   # quiz was passed
    assert again_second["resets"][0]["previous"]["cause"] is None
    assert again_first["resets"][0]["at"] == "2026-11-25T10:05:00Z"
    assert schema_problems(shown) == []


def test_a_mystery_round_names_a_drawn_scenario_only_once_its_cause_may_be_read():
    record = records.new_record("mystery", "ada", [("mystery-1", "oom_killed", None),
                                                   ("mystery-2", "bad_command", None)])
    record["mystery"] = {"seed": "s", "count": 2, "draw": [
        {"id": "mystery-1", "scenario": "oom-killed", "lab": "lab-3"},
        {"id": "mystery-2", "scenario": "bad-command", "lab": "lab-3"}]}
    records.diagnosed(record["scenarios"][0])
    shown = records.for_learner(record)
    assert shown["mystery"]["draw"] == [{"id": "mystery-1", "scenario": "oom-killed",
                                         "lab": "lab-3"}, {"id": "mystery-2"}]
    assert "bad-command" not in json.dumps(shown) and "bad_command" not in json.dumps(shown)
    assert schema_problems(shown) == []
    assert record["mystery"]["draw"][1]["scenario"] == "bad-command"


def test_the_file_and_the_cluster_copy_hold_the_same_record():
    record = _record()
    records.start(record["scenarios"][1])
    records.diagnosed(record["scenarios"][0])
    signed = results.sign_results(records.for_learner(record), KEY)
    assert progress.for_cluster(record, KEY) == signed
    assert check_text(json.dumps(signed), "file", KEY).status == "ok"


def test_an_old_file_with_every_cause_still_verifies_and_resumes_with_the_catalogues():
    old = results.sign_results(_record(), KEY)     # written before causes were left out
    assert check_text(json.dumps(old), "old", KEY).status == "ok"
    rows = [(s.id, s.cause, f"crashlab-ada-{s.slug}") for s in CATALOG.lab_scenarios("lab-3")]
    shown = records.for_learner(records.merge_lab(records.for_learner(old), rows, {}))
    assert _cause_words(shown) == []
    merged = records.merge_lab(records.for_learner(old), rows, {})
    assert [item["cause"] for item in merged["scenarios"]] == [row[1] for row in rows]


def test_resume_and_grading_name_every_scenario_by_its_id_again():
    record = _record()
    records.start(record["scenarios"][0])
    records.diagnosed(record["scenarios"][1])
    written = results.sign_results(records.for_learner(record), KEY)
    rows = [(s.id, s.cause, f"crashlab-ada-{s.slug}") for s in CATALOG.lab_scenarios("lab-3")]
    resumed = records.merge_lab(json.loads(json.dumps(written)), rows, {})
    assert [(e["id"], e["cause"], e["status"]) for e in resumed["scenarios"]] == [
        (row[0], row[1], e["status"]) for row, e in zip(rows, record["scenarios"])]
    assert resumed["scenarios"][0]["status"] == "investigating"
    checked = check_text(json.dumps(written), "file", KEY)
    assert checked.status == "ok", "verified as written, before the ids are put back"
    assert [e["id"] for e in checked.record["scenarios"]] == [row[0] for row in rows]


def test_a_reset_entry_is_found_by_its_namespace():
    record = _record()
    records.start(record["scenarios"][2])
    written = records.for_learner(record)
    third = CATALOG.lab_scenarios("lab-3")[2]
    found = records.find(written["scenarios"], third.id, f"crashlab-ada-{third.slug}")
    assert found is written["scenarios"][2] and found["id"] == third.slug
    assert records.find(written["scenarios"], third.id) is None


def test_the_progress_configmap_is_labelled_with_the_opaque_key_not_an_id():
    record = _record()
    configmap = progress.progress_configmap(record, "crashlab-ada-storefront")
    first = CATALOG.lab_scenarios("lab-3")[0]
    assert configmap["metadata"]["labels"]["crashlab.dev/scenario"] == first.key
    assert first.id not in json.dumps(configmap)
