"""The class report as CSV: one line per participant and scenario, then the flags."""

from __future__ import annotations

import csv
import io

from runner.grade.model import ClassReport

COLUMNS = ("participant", "lab", "scenario", "status", "diagnosed", "first_try", "cause_attempts",
           "wrong_answers", "wrong_answer_texts", "evidence_attempts", "hints", "evidence_shown", "solution_revealed",
           "resets", "fix_verified", "fix_applied_by", "time_to_diagnose_s", "time_to_fix_s", "file_check",
           "live", "source")


def to_csv(report: ClassReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in report.rows:
        writer.writerow([
            row.participant, row.lab, row.scenario, row.status, _yes(row.diagnosed),
            _yes(row.first_try), row.cause_attempts, " ".join(row.wrong_answers),
            " | ".join(report.answer_text(row.scenario, a) for a in row.wrong_answers),
            row.evidence_attempts, row.hints, row.evidence_shown, _yes(row.revealed), row.resets,
            _yes(row.verified), row.fix_applied_by or "", _num(row.time_to_diagnose),
            _num(row.time_to_fix), row.trust, row.live or "", row.source or ""])
    for flag in report.flags:
        if flag.kind == "missing":
            writer.writerow([flag.participant, "", "", "missing", *[""] * (len(COLUMNS) - 7), "missing", "", ""])
    return out.getvalue()


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _num(value) -> str:
    return "" if value is None else f"{float(value):.1f}"
