"""Class reports from participants' results files (or from the live cluster).

Pure core: `grade_checked` turns verified records into a ClassReport; the
renderers (`table.render`, `to_csv`, `to_html`) turn it into text. Reading files
(`collect`) never raises on a bad file: it becomes a flag in the report.

    checked = check_files(find_result_files(["results/"])[0], key)
    report = grade_checked(checked, roster=read_roster("roster.txt"))
    Path("report.html").write_text(to_html(report))
"""

from runner.grade.collect import check_file, check_files, check_text, find_result_files, read_roster
from runner.grade.csvout import to_csv
from runner.grade.html import to_html
from runner.grade.merge import build_report, format_seconds, grade_checked, row_from_entry
from runner.grade.model import Checked, ClassReport, Flag, Row, ScenarioFigure


def grade_paths(paths, key=None, roster=(), scenario_order=(), generated_at: str = "") -> ClassReport:
    """Read every results file under `paths` and build the class report."""
    files, missing = find_result_files(paths)
    checked = check_files(files, key)
    checked += [Checked(path, None, "invalid", "no such file or folder") for path in missing]
    return grade_checked(checked, roster, scenario_order, generated_at)


__all__ = ["Checked", "ClassReport", "Flag", "Row", "ScenarioFigure", "build_report",
           "check_file", "check_files", "check_text", "find_result_files", "format_seconds",
           "grade_checked", "grade_paths", "read_roster", "row_from_entry", "to_csv", "to_html"]
