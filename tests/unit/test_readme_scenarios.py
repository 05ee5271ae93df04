"""The README lists every scenario of every lab by number and service, and names no cause
(learners read it before the quiz)."""

import re
from pathlib import Path

from runner.catalog import ALL_CAUSES, load_catalog

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
CATALOG = load_catalog()


def table_rows() -> set[tuple[str, int, str]]:
    rows = set()
    for line in README.splitlines():
        for lab, number, service in re.findall(r"\| `([-a-z0-9]+)` \| (\d+) \| ([-a-z0-9]+) \|",
                                                line):
            rows.add((lab, int(number), service))
    return rows


def test_the_table_lists_all_twelve_by_number_and_service():
    expected = {(lab.id, index + 1, CATALOG.scenario(sid).workload.name)
                for lab in CATALOG.labs.values() for index, sid in enumerate(lab.scenario_ids)}
    assert len(expected) == 12
    assert table_rows() == expected


def test_the_readme_names_no_scenario_id_title_or_cause_id():
    for scenario in CATALOG.scenarios.values():
        assert f"`{scenario.id}`" not in README, scenario.id
        assert scenario.sample_title not in README, scenario.sample_title
    for cause in ALL_CAUSES:
        assert cause not in README, cause
