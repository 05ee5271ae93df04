from runner.results import records, schema_problems


def _record():
    return records.new_record("lab-3", "ada", [("oom-killed", "oom_killed", "crashlab-ada-oom-killed"),
                                               ("bad-command", "bad_command", "crashlab-ada-bad-command")],
                              version="0.1.0", cluster={"context": "kind-crashlab"},
                              started_at="2026-11-25T10:00:00Z")


def test_a_fresh_record_is_valid_and_every_scenario_pending():
    record = _record()
    assert schema_problems(record) == []
    assert [item["status"] for item in record["scenarios"]] == ["pending", "pending"]
    assert record["startedAt"] == record["updatedAt"] == "2026-11-25T10:00:00Z"
    by_id = records.new_record("lab-3", "ada", ["oom-killed"])
    assert by_id["scenarios"][0]["cause"] is None and by_id["cluster"] == {}


def test_the_state_changes_of_one_scenario_in_order():
    record = _record()
    item = records.entry(record, "oom-killed")
    records.start(item)
    assert item["status"] == "investigating" and item["startedAt"]
    records.add_attempt(item, "cause", "liveness", False)
    assert not records.answered(item, "cause")
    records.add_attempt(item, "cause", "oom", True)
    assert records.answered(item, "cause")
    records.diagnosed(item)
    assert item["status"] == "fixing" and item["timeToDiagnoseSeconds"] is not None
    records.count(item, "hintsShown")
    records.verified(item, "workspace", {"podUid": "u", "windowSeconds": 30})
    assert item["status"] == "verified" and item["verification"]["podUid"] == "u"
    assert records.is_final(item)
    assert schema_problems(record) == []


def test_revealed_then_verified_is_revealed_and_skipped_is_final():
    record = _record()
    item = records.entry(record, "bad-command")
    records.revealed(item)
    records.verified(item, "solution", {})
    assert item["status"] == "revealed"
    other = records.entry(_record(), "oom-killed")
    records.skipped(other)
    assert records.is_final(other)


def test_merge_and_reset_keep_order_and_clear_one_entry():
    record = _record()
    records.start(records.entry(record, "oom-killed"))
    merged = records.merge_lab(record, [("bad-command", "bad_command", "ns-b"),
                                        ("oom-killed", "oom_killed", "ns-o"),
                                        ("new-one", "x", "ns-n")], {"context": "c"})
    assert [i["id"] for i in merged["scenarios"]] == ["bad-command", "oom-killed", "new-one"]
    assert records.entry(merged, "oom-killed")["status"] == "investigating"
    fresh = records.reset_entry(merged, "oom-killed")
    assert fresh["status"] == "pending" and records.entry(merged, "oom-killed") is fresh


def test_summary_rows():
    record = _record()
    item = records.entry(record, "oom-killed")
    item["timeToFixSeconds"], item["fixAppliedBy"], item["hintsShown"] = 42.4, "kubectl", 2
    records.add_attempt(item, "cause", "oom", True)
    assert records.summary_rows(record)[0] == ("oom-killed", "pending", "1/0", "2", "42s", "kubectl")


def test_reset_keeps_every_earlier_try_append_only():
    record = _record()
    item = records.entry(record, "oom-killed")
    records.start(item)
    records.add_attempt(item, "cause", "app_config", False)
    records.looked(item)
    records.revealed(item)
    first = records.reset_entry(record, "oom-killed", at="2026-11-25T11:00:00Z")
    assert first["status"] == "pending" and first["hintsShown"] == 0
    assert first["resets"][0]["at"] == "2026-11-25T11:00:00Z"
    earlier = first["resets"][0]["previous"]
    assert earlier["quiz"]["cause"]["attempts"][0]["answer"] == "app_config"
    assert earlier["solutionRevealed"] is True and earlier["hintsShown"] == 1
    second = records.reset_entry(record, "oom-killed", at="2026-11-25T12:00:00Z")
    assert [r["at"] for r in second["resets"]] == ["2026-11-25T11:00:00Z", "2026-11-25T12:00:00Z"]
    assert "resets" not in second["resets"][1]["previous"], "no nesting: one flat history"
    assert schema_problems(record) == []
    record["guided"] = True
    assert schema_problems(record) == []


def test_where_to_look_counts_as_a_hint_but_keeps_the_hint_order():
    item = records.entry(_record(), "oom-killed")
    records.looked(item)
    records.count(item, "hintsShown")
    assert item["hintsShown"] == 2 and item["whereToLookShown"] == 1
    assert records.hints_given(item) == 1


def test_the_symptom_and_fixes_are_kept_as_they_happen():
    record = _record()
    item = records.entry(record, "oom-killed")
    assert (item["symptom"], item["brokenRestartCount"], item["fixes"]) == (None, None, [])
    records.symptom_seen(item, ["lastState.terminated.reason = OOMKilled"], 3)
    records.symptom_seen(item, ["something later"], 7)   # a resumed run: the first sighting stays
    assert item["symptom"] == ["lastState.terminated.reason = OOMKilled"]
    assert item["brokenRestartCount"] == 3
    records.fix_applied(item, "workspace")
    records.fix_judged(item, False)
    records.fix_applied(item, "solution")
    assert [(f["by"], f["verdict"]) for f in item["fixes"]] == [("workspace", "not fixed"),
                                                                 ("solution", None)]
    records.fix_judged(item, True)
    assert item["fixes"][-1]["verdict"] == "fixed"
    assert schema_problems(record) == []
    item["fixes"][0]["by"] = "magic"
    item["brokenRestartCount"] = -1
    assert schema_problems(record) == [
        "scenarios[0].brokenRestartCount: -1 is less than 0",
        "scenarios[0].fixes[0].by: 'magic' is not one of workspace, kubectl, solution"]


def test_a_record_written_before_these_fields_still_loads():
    record = _record()
    for item in record["scenarios"]:
        for key in ("symptom", "brokenRestartCount", "fixes"):
            del item[key]
    assert schema_problems(record) == []
