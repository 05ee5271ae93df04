"""Merge participants' results into one class report (pure: records in, report out)."""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter

from runner import results
from runner.catalog.model import current_cause_id
from runner.grade.model import TRUSTED, Checked, ClassReport, Flag, Row, ScenarioFigure

_FLAG_REASONS = {
    "tampered": "changed after the lab wrote it",
    "invalid": "not a readable results file",
    "unsigned": "not signed: it could have been edited by hand",
    "unverified": "signed, but no grading key was given to check it",
}


def grade_checked(checked: list[Checked], roster=(), scenario_order=(), generated_at: str = "",
                  ) -> ClassReport:
    """The class report from verified files; `roster` names who should have handed one in."""
    flags: list[Flag] = []
    latest: dict[tuple[str, str], Checked] = {}
    for item in checked:
        record = item.record if item.status != results.INVALID else None
        if item.status != "ok":
            who = record.get("participant") if record else _name_from_file(item.source, roster)
            flags.append(Flag(item.status, who, item.source, item.reason
                              or _FLAG_REASONS.get(item.status, item.status)))
        if record is None:
            continue
        key = (record["participant"], record["lab"])
        kept = latest.get(key)
        if kept is None:
            latest[key] = item
            continue
        newer, older = (item, kept) if _newer(item, kept) else (kept, item)
        latest[key] = newer
        flags.append(Flag("duplicate", key[0], older.source,
                          f"older copy for {key[0]}/{key[1]} (updatedAt "
                          f"{older.record.get('updatedAt')}); kept {newer.source} "
                          f"(updatedAt {newer.record.get('updatedAt')})"))
    rows = [row for item in latest.values() for row in rows_from_record(item)]
    labs = tuple(sorted({lab for _, lab in latest}))
    seen = {participant for participant, _ in latest}
    seen |= {flag.participant for flag in flags if flag.kind == "invalid" and flag.participant}
    for name in roster:
        if name not in seen:
            flags.append(Flag("missing", name, None, "on the roster, but no results file"))
    report = build_report(rows, flags, labs, scenario_order, roster, generated_at)
    return dataclasses.replace(report, files_graded=sum(
        1 for item in checked if item.record is not None and item.status != results.INVALID))


def _name_from_file(source: str, roster) -> str | None:
    """The participant an unreadable file belongs to, from its name (<lab>-<participant>.json)."""
    from pathlib import PurePath

    stem = PurePath(source).stem
    return next((name for name in sorted(roster, key=len, reverse=True)
                 if stem == name or stem.endswith(f"-{name}")), None)


def _newer(a: Checked, b: Checked) -> bool:
    # ISO-8601 UTC with Z sorts as text; a trusted file wins a tie over an untrusted one.
    key_a = (a.record.get("updatedAt") or "", a.status in TRUSTED)
    key_b = (b.record.get("updatedAt") or "", b.status in TRUSTED)
    return key_a > key_b


def rows_from_record(item: Checked) -> list[Row]:
    record = item.record
    return [row_from_entry(record["participant"], record["lab"], entry, item.status, item.source)
            for entry in record.get("scenarios") or []]


def row_from_entry(participant: str, lab: str, entry: dict, trust: str = "ok",
                   source: str | None = None) -> Row:
    quiz = entry.get("quiz") or {}
    cause = (quiz.get("cause") or {}).get("attempts") or []
    evidence = (quiz.get("evidence") or {}).get("attempts") or []
    status = entry.get("status", "pending")
    return Row(
        participant=participant, lab=lab, scenario=entry["id"], status=status, trust=trust,
        source=source,
        diagnosed=any(a.get("correct") for a in cause),
        first_try=bool(cause) and bool(cause[0].get("correct")),
        cause_attempts=len(cause),
        wrong_answers=tuple(current_cause_id(a["answer"]) for a in cause if not a.get("correct")),
        evidence_attempts=len(evidence),
        evidence_wrong=tuple(a["answer"] for a in evidence if not a.get("correct")),
        hints=entry.get("hintsShown") or 0,
        evidence_shown=entry.get("evidenceShown") or 0,
        revealed=bool(entry.get("solutionRevealed")) or status == "revealed",
        resets=_count(entry.get("resets")),
        verified=status == "verified",
        fix_applied_by=entry.get("fixAppliedBy"),
        time_to_diagnose=entry.get("timeToDiagnoseSeconds"),
        time_to_fix=entry.get("timeToFixSeconds"),
    )


def _count(value) -> int:
    """`resets` is a list of reset records (or, in hand-made data, a number)."""
    if isinstance(value, list):
        return len(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def catalog_choice_texts() -> dict[tuple[str, str], str]:
    """(scenario id, choice id) -> the choice's text, from the project's catalogue; empty when
    it cannot be read (the report then shows ids)."""
    from runner.catalog import load_catalog
    from runner.errors import CatalogError

    try:
        catalog = load_catalog(manifests=False)
    except (CatalogError, OSError):
        return {}
    from runner import mystery

    texts = {(scenario.id, choice.id): choice.text for scenario in catalog.scenarios.values()
             for question in scenario.questions for choice in question.choices}
    return {**mystery.cause_choice_texts(catalog), **texts}


def build_report(rows: list[Row], flags: list[Flag], labs=(), scenario_order=(), roster=(),
                 generated_at: str = "", live: bool = False,
                 choice_texts: dict | None = None) -> ClassReport:
    """Class figures, the hardest scenario and the most common wrong answers from `rows`
    (`choice_texts`: see catalog_choice_texts, its default)."""
    order = list(scenario_order)
    order += sorted({row.scenario for row in rows} - set(order))
    participants = sorted({row.participant for row in rows} | set(roster))
    rows = sorted(rows, key=lambda r: (r.participant, order.index(r.scenario)))
    figures = [scenario_figure(scenario, [r for r in rows if r.scenario == scenario and r.counted])
               for scenario in order]
    hardest, why = pick_hardest(figures)
    common = sorted(((f.scenario, answer, n) for f in figures for answer, n in f.wrong_answers.items()),
                    key=lambda item: (-item[2], order.index(item[0]), item[1]))
    return ClassReport(labs=tuple(labs), scenarios=tuple(order), participants=tuple(participants),
                       rows=rows, flags=sorted(flags, key=_flag_order), figures=figures,
                       hardest=hardest, hardest_why=why, common_wrong=common[:10],
                       generated_at=generated_at, live=live,
                       choice_texts=catalog_choice_texts() if choice_texts is None else choice_texts)


def _flag_order(flag: Flag):
    from runner.grade.model import FLAG_KINDS

    kind = FLAG_KINDS.index(flag.kind) if flag.kind in FLAG_KINDS else len(FLAG_KINDS)
    return kind, flag.participant or "", flag.source or ""


def scenario_figure(scenario: str, rows: list[Row]) -> ScenarioFigure:
    """Figures over the participants who reached the scenario (status other than pending)."""
    figure = ScenarioFigure(scenario)
    wrong: Counter = Counter()
    rows = [row for row in rows if row.status != "pending"]
    for row in rows:
        figure.participants += 1
        figure.verified += row.verified
        figure.solved_alone += row.verified and not row.revealed
        figure.first_try += row.first_try
        figure.revealed += row.revealed
        figure.skipped += row.status == "skipped"
        figure.unfinished += row.status not in results.FINAL_STATUSES
        figure.hints += row.hints
        wrong.update(row.wrong_answers)
    figure.median_diagnose = _median([r.time_to_diagnose for r in rows])
    figure.median_fix = _median([r.time_to_fix for r in rows if r.verified])
    figure.wrong_answers = dict(wrong.most_common())
    return figure


def _median(values) -> float | None:
    numbers = [v for v in values if isinstance(v, (int, float))]
    return float(statistics.median(numbers)) if numbers else None


def pick_hardest(figures: list[ScenarioFigure]) -> tuple[str | None, str]:
    """The scenario fewest people fixed on their own; ties: fewest right first time, slowest fix."""
    played = [f for f in figures if f.participants]
    if not played:
        return None, ""

    def difficulty(figure):
        alone = figure.solved_alone / figure.participants
        first = figure.first_try / figure.participants
        return (alone, first, -(figure.median_fix or 0.0))

    hardest = min(played, key=difficulty)
    why = (f"{hardest.solved_alone}/{hardest.participants} fixed it without the solution, "
           f"{hardest.first_try}/{hardest.participants} named the cause first time")
    if hardest.median_fix is not None:
        why += f", median fix {format_seconds(hardest.median_fix)}"
    return hardest.scenario, why


def format_seconds(seconds: float | None) -> str:
    """95.2 -> '1:35'; None -> '-'."""
    if seconds is None:
        return "-"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
