"""`node_pressure` became `evicted` (runner.diagnose's id for the same look-alike): files
written before still read right."""

from runner.catalog import ALL_CAUSES
from runner.grade.merge import row_from_entry
from runner.results import records
from runner.session.askers import ScriptedAsker


def test_one_id_for_the_node_pressure_look_alike():
    assert "evicted" in ALL_CAUSES and "node_pressure" not in ALL_CAUSES


def test_an_old_answers_file_is_read_with_the_new_id():
    asker = ScriptedAsker({"oom-killed": {"cause": ["node_pressure", "oom_killed"]}})
    assert asker.answers["oom-killed"]["cause"] == ["evicted", "oom_killed"]


def test_an_old_record_grades_with_the_new_id():
    entry = records.new_scenario("oom-killed", "oom_killed")
    records.add_attempt(entry, "cause", "node_pressure", False)
    records.add_attempt(entry, "cause", "oom_killed", True)
    assert row_from_entry("ada", "lab-3", entry).wrong_answers == ("evicted",)
