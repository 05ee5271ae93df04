"""Grading speed: 1,000 results files against a baseline of only json-loading them, and live
grading of 100 participants in a constant number of list calls.

The baseline runs in the same session on the same files, so the two timings are
comparable on any machine; the budget for grading 1,000 files is one second
(parse + schema check + HMAC verification + merge + class figures).
"""

import json
from pathlib import Path

import pytest

from runner.catalog import load_catalog
from runner.grade import build_report, grade_paths, to_html
from tests.harness.fixtures import k8s_api  # noqa: F401
from tests.instructor import classdata, livedata

KEY = "bench-key"
FILES = 1000
BUDGET_SECONDS = 1.0


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    classdata.sample_class(root, KEY, FILES)
    return root


def _load_all(folder: Path) -> int:
    return sum(len(json.loads(p.read_text(encoding="utf-8"))["scenarios"])
               for p in sorted(folder.glob("*.json")))


def test_baseline_json_load_1000(benchmark, folder):
    assert benchmark.pedantic(_load_all, args=(folder,), rounds=5, iterations=1) == FILES * 5


def test_grade_1000_files(benchmark, folder):
    report = benchmark.pedantic(grade_paths, args=([folder], KEY), kwargs={
        "scenario_order": classdata.SCENARIOS}, rounds=5, iterations=1)
    assert len(report.participants) == FILES and not report.flags
    assert benchmark.stats.stats.min < BUDGET_SECONDS


def test_html_for_1000(benchmark, folder):
    report = grade_paths([folder], KEY, scenario_order=classdata.SCENARIOS)
    page = benchmark(to_html, report)
    assert page.count("<tr>") > FILES


def test_live_grade_100_participants(benchmark, k8s_api):  # noqa: F811
    from runner import workshop

    catalog = load_catalog()
    lab = catalog.labs["lab-3"]
    livedata.seed_class(k8s_api.emulator.store, catalog, lab, [f"p{i:03d}" for i in range(100)])
    cluster = k8s_api.connect()
    before = len(k8s_api.emulator.requests)

    def live():
        snapshot = workshop.read_live_snapshot(cluster, "lab-3")
        return workshop.grade_live(build_report([], [], ("lab-3",), lab.scenario_ids), snapshot,
                                   catalog, lab, now=livedata.now())

    report = benchmark.pedantic(live, rounds=1, iterations=1)
    lists = [r for r in k8s_api.emulator.requests[before:] if r.method == "GET" and not r.watch]
    assert len(lists) <= 5
    assert sum(r.live == "fixed" for r in report.rows) == 500
