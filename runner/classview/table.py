"""The class view as a rich table, for `crashlab workshop watch --tui`. Pure (rich only)."""

from __future__ import annotations

from runner.classview.model import STATE_WORDS, ClassView

_STYLES = {"not-started": "dim", "deployed": "", "crash-looping": "red", "answered": "yellow",
           "fixing": "dark_orange", "verified": "green", "revealed": "magenta", "skipped": "dim"}


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds:.0f} s" if seconds < 60 else f"{seconds // 60:.0f} min"


def summary_line(view: ClassView) -> str:
    t = view.totals
    stuck = (f"most stuck: {view.most_stuck} ({view.most_stuck_count})" if view.most_stuck
             else "nobody is stuck")
    return (f"{t['participants']} participants · {t['needs_help']} need help · "
            f"{t['finished']} finished · {t['verified']} verified · "
            f"{t['crash-looping']} crash-looping · {t['untrusted']} records not trusted · {stuck}")


def build_table(view: ClassView):
    """A rich Table: one row per participant, those needing help first."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{view.lab} · class view · {view.generated_at}",
                  caption=summary_line(view), expand=False)
    for name in ("participant", "needs help", *view.scenarios, "hints", "on current", "record"):
        table.add_column(name, overflow="fold")
    for row in view.rows:
        cells = []
        for cell in row.cells:
            text = STATE_WORDS[cell.state]
            if cell.tries and cell.state in ("answered", "fixing"):
                text += f" ({cell.tries} tr{'y' if cell.tries == 1 else 'ies'})"
            cells.append(Text(text, style=_STYLES[cell.state]))
        current = f"{row.current} {_duration(row.on_current_seconds)}".strip() if row.current else ""
        trust = "no record yet" if row.trust == "none" else row.trust
        table.add_row(Text(row.participant, style="bold red" if row.needs_help else ""),
                      Text("; ".join(row.help), style="red"), *cells, str(row.hints), current,
                      Text(trust, style="bold red" if row.trust in ("tampered", "invalid")
                           else "yellow" if row.trust in ("unsigned", "unverified") else ""))
    return table
