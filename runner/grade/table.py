"""The class report as rich tables for the terminal."""

from __future__ import annotations

from runner.grade.merge import format_seconds
from runner.grade.model import ClassReport, Row

_STATUS = {"verified": ("fixed", "green"), "revealed": ("revealed", "yellow"),
           "skipped": ("skipped", "dim"), "fixing": ("fixing", "cyan"),
           "investigating": ("investigating", "cyan"), "pending": ("-", "dim")}
_FLAG_STYLE = {"tampered": "bold red", "invalid": "red", "duplicate": "yellow",
               "missing": "yellow", "unsigned": "yellow", "unverified": "dim", "live-failed": "red"}


GRID_LEGEND = ("each cell: outcome (fixed = verified on the cluster, revealed, skipped, or where "
               "they stopped) · time to the verified fix · tries to name the cause (1st = first "
               "try) · hints shown (h) · evidence shown (e) · solution shown · reset xN · the "
               "live re-check · a tag when the file did not verify")
FIGURES_LEGEND = ("fixed: verified fixes / participants who reached it · alone: fixed without "
                  "the solution · 1st try: cause named on the first try · revealed: solutions "
                  "shown · median diagnose: start to the right cause · median fix: start to the "
                  "verified fix · hints: hints shown, all participants")


def cell(row: Row | None) -> str:
    """One participant x scenario cell: outcome, first-try mark, fix time, trust."""
    if row is None:
        return "[dim]·[/]"
    text, style = _STATUS.get(row.status, (row.status, ""))
    parts = [f"[{style}]{text}[/]"]
    if row.verified and row.time_to_fix is not None:
        parts.append(format_seconds(row.time_to_fix))
    if row.diagnosed:
        parts.append("1st" if row.first_try else f"{row.cause_attempts} tries")
    if row.hints:
        parts.append(f"h{row.hints}")
    if row.evidence_shown:
        parts.append(f"e{row.evidence_shown}")
    if row.revealed and row.status != "revealed":
        parts.append("[yellow]solution shown[/]")
    if row.resets:
        parts.append(f"[yellow]reset x{row.resets}[/]")
    if row.live:
        parts.append({"fixed": "[green]live ok[/]", "not-fixed": "[red]live no[/]",
                      "absent": "[red]live gone[/]"}.get(row.live, row.live))
    if row.trust not in ("ok", "live"):
        parts.append(f"[{_FLAG_STYLE.get(row.trust, '')}]{row.trust}[/]")
    return " ".join(parts)


def render(report: ClassReport, console) -> None:
    from rich.markup import escape
    from rich.table import Table

    title = f"crashlab class report — {', '.join(report.labs) or 'no lab'}"
    if report.live:
        title += " (live check)"
    grid = Table(title=title, title_justify="left")
    grid.add_column("participant", no_wrap=True)
    for scenario in report.scenarios:
        grid.add_column(scenario)
    for participant in report.participants:
        grid.add_row(escape(participant), *[cell(report.row(participant, s)) for s in report.scenarios])
    console.print(grid)
    console.print(GRID_LEGEND)

    figures = Table(title="class figures (trusted files only)", title_justify="left")
    for name in ("scenario", "fixed", "alone", "1st try", "revealed", "median diagnose",
                 "median fix", "hints"):
        figures.add_column(name, justify="left" if name == "scenario" else "right")
    for f in report.figures:
        n = f.participants or 0
        figures.add_row(f.scenario + (" [bold red](hardest)[/]" if f.scenario == report.hardest else ""),
                        f"{f.verified}/{n}", f"{f.solved_alone}/{n}", f"{f.first_try}/{n}",
                        str(f.revealed), format_seconds(f.median_diagnose),
                        format_seconds(f.median_fix), str(f.hints))
    console.print(figures)
    console.print(FIGURES_LEGEND)
    if report.hardest:
        console.print(f"hardest scenario: [bold]{report.hardest}[/] — {report.hardest_why}")
    if report.common_wrong:
        console.print("most common wrong answers:")
        for scenario, answer, n in report.common_wrong[:5]:
            console.print(f"  {n}× on {escape(scenario)}: {escape(report.answer_text(scenario, answer))}")
    if report.flags:
        console.print(report.files_to_look_at + ":")
    for flag in report.flags:
        style = _FLAG_STYLE.get(flag.kind, "")
        where = flag.source or flag.participant or ""
        console.print(f"[{style}]{flag.kind:>10}[/] {escape(where)}: {escape(flag.reason)}")
