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
