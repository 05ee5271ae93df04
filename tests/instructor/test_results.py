"""Results files: schema, canonical form, signing, atomic save, verification, JUnit."""

import json
import os
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from runner import results
from runner.errors import InputError
from tests.instructor import classdata

KEY = "workshop-key-2026"


def test_signature_round_trip(tmp_path):
    path = tmp_path / "lab-3-ada.json"
    written = results.save_results(classdata.record("ada"), path, key=KEY, environ={})
    loaded = results.load_results(path)
    assert loaded == written
    assert loaded["signature"]["algorithm"] == "HMAC-SHA256"
    assert loaded["signature"]["keyId"] == results.key_id(KEY)
    assert results.verify_results(loaded, KEY) == "ok"


def test_signs_with_the_key_from_the_environment(tmp_path):
    path = tmp_path / "r.json"
    results.save_results(classdata.record("ada"), path, environ={"CRASHLAB_GRADING_KEY": KEY})
    assert results.verify_results(results.load_results(path), KEY) == "ok"


def test_unsigned_without_a_key(tmp_path):
    path = tmp_path / "r.json"
    results.save_results(classdata.record("ada"), path, environ={})
    record = results.load_results(path)
    assert "signature" not in record
    assert results.verify_results(record, KEY) == "unsigned"


def test_one_changed_byte_is_tampering(tmp_path):
    path = tmp_path / "r.json"
    entry = classdata.scenario_entry("ada", "oom-killed", hints=2)
    results.save_results(classdata.record("ada", [entry]), path, key=KEY, environ={})
    raw = path.read_bytes()
    changed = raw.replace(b'"hintsShown": 2', b'"hintsShown": 0', 1)
    assert len(changed) == len(raw) and sum(a != b for a, b in zip(raw, changed)) == 1
    path.write_bytes(changed)
    record = json.loads(changed)
    verdict = results.inspect_results(record, KEY)
    assert verdict.status == "tampered"
    assert "changed after the lab wrote it" in verdict.reason


def test_another_key_is_tampering_and_named():
    signed = results.sign_results(classdata.record("ada"), "other-key")
    verdict = results.inspect_results(signed, KEY)
    assert verdict.status == "tampered"
    assert results.key_id("other-key") in verdict.reason


def test_signed_but_no_key_is_unverified():
    signed = results.sign_results(classdata.record("ada"), KEY)
    assert results.verify_results(signed, None) == "unverified"


def test_canonical_form_ignores_layout_and_key_order():
    record = classdata.record("ada")
    shuffled = json.loads(json.dumps(dict(reversed(list(record.items())))))
    assert results.canonical_bytes(record) == results.canonical_bytes(shuffled)
    assert results.canonical_bytes(results.sign_results(record, KEY)) == results.canonical_bytes(record)
    text = results.canonical_bytes({"b": "é", "a": [1, 2]})
    assert text == '{"a":[1,2],"b":"é"}'.encode("utf-8")


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "r.json"
    results.save_results(classdata.record("ada"), path, environ={})
    before = path.read_text()

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        results.save_results(classdata.record("ada", updated=9999), path, environ={})
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_save_refuses_an_invalid_record(tmp_path):
    record = classdata.record("ada")
    record["scenarios"][0]["status"] = "done"
    with pytest.raises(results.InvalidResults, match=r"scenarios\[0\]\.status: 'done' is not one of"):
        results.save_results(record, tmp_path / "r.json", environ={})
    assert not (tmp_path / "r.json").exists()


def test_truncated_file_is_invalid_with_a_hint(tmp_path):
    path = tmp_path / "r.json"
    results.save_results(classdata.record("ada"), path, key=KEY, environ={})
    path.write_text(path.read_text()[:200])
    with pytest.raises(InputError, match=r"not valid JSON \(truncated\?\)"):
        results.load_results(path)


@pytest.mark.parametrize("change, field", [
    (lambda r: r.pop("participant"), "'participant' is a required property"),
    (lambda r: r.update(schema="crashlab.dev/results/v0"), "schema: expected"),
    (lambda r: r.update(updatedAt="yesterday"), "updatedAt: 'yesterday' does not match"),
    (lambda r: r["scenarios"][1].update(hintsShown=-1), "scenarios[1].hintsShown: -1 is less than 0"),
    (lambda r: r["scenarios"][2].update(fixAppliedBy="magic"), "scenarios[2].fixAppliedBy"),
    (lambda r: r["scenarios"][0]["quiz"]["cause"]["attempts"].append({"answer": 3}),
     "scenarios[0].quiz.cause.attempts[0]"),
])
def test_schema_problems_name_the_field(change, field):
    record = classdata.record("ada")
    change(record)
    problems = results.schema_problems(record)
    assert problems and any(field in p for p in problems), problems


def test_fast_validator_agrees_with_jsonschema():
    schema = json.loads(results._SCHEMA_FILE.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    jsonschema.Draft202012Validator.check_schema(schema)
    import random

    rng = random.Random(3)
    samples = [classdata.random_record(f"p{i}", rng) for i in range(20)]
    mutations = [lambda r: r["scenarios"][0].update(status="nope"),
                 lambda r: r.update(lab="Lab 3"),
                 lambda r: r["scenarios"][3].update(timeToFixSeconds="fast"),
                 lambda r: r.update(signature={"algorithm": "HMAC-SHA256", "keyId": "k", "value": "zz"}),
                 lambda r: r["scenarios"][1]["verification"] and r["scenarios"][1]["verification"]
                 .update(restartCount=-2),
                 lambda r: r.update(extra={"anything": 1})]
    for index, sample in enumerate(samples):
        mutate = mutations[index % len(mutations)]
        mutated = json.loads(json.dumps(sample))
        mutate(mutated)
        for record in (sample, mutated):
            assert (not results.schema_problems(record)) == validator.is_valid(record)


def test_junit_export():
    good = results.sign_results(classdata.record("ada", [
        classdata.scenario_entry("ada", "bad-command"),
        classdata.scenario_entry("ada", "oom-killed", status="revealed", revealed=True),
        classdata.scenario_entry("ada", "invalid-user", status="skipped")]), KEY)
    text = results.to_junit([("ada.json", good, results.inspect_results(good, KEY)),
                             ("bob.json", None, results.Verification("invalid", "not JSON"))])
    root = ET.fromstring(text)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["lab-3/ada", "?/?"]
    ada = {case.get("name"): case for case in suites[0].findall("testcase")}
    assert ada["bad-command"].find("failure") is None
    assert ada["oom-killed"].find("failure").get("message") == "solution revealed"
    assert ada["invalid-user"].find("skipped") is not None
    assert ada["invalid-app-config"].find("failure").get("type") == "pending"
    assert suites[1].find("testcase/failure").get("type") == "invalid"
    assert root.get("tests") == "7" and root.get("failures") == "4" and root.get("skipped") == "1"


def test_save_flushes_the_file_and_then_its_folder(tmp_path, monkeypatch):
    """temp file + fsync + rename + fsync of the folder: a kill -9 or power cut keeps the
    last step (the rename is durable only once the directory entry is on disk)."""
    import stat

    from runner.results import records

    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(stat.S_ISDIR(os.fstat(fd).st_mode)),
                                                 real_fsync(fd)))
    path = tmp_path / "results" / "lab-3-ada.json"
    results.save_results(records.new_record("lab-3", "ada", ["oom-killed"]), path)
    assert synced == [False, True]          # the temp file, then the folder after the rename
    assert [p.name for p in path.parent.iterdir()] == ["lab-3-ada.json"]   # no temp file left
