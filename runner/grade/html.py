"""The class report as one self-contained HTML page: inline CSS and SVG, no scripts, no links."""

from __future__ import annotations

from html import escape
from pathlib import PurePath

from runner.grade.merge import format_seconds
from runner.grade.model import ClassReport, Row, ScenarioFigure

_CSS = """
:root{--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--mute:#6e7781;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;
 margin:0 auto;padding:24px 32px;max-width:1180px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.sub{color:var(--mute);margin:0 0 16px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:150px;background:#fff}
.card b{display:block;font-size:20px}.card span{color:var(--mute);font-size:12px}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid var(--line);padding:5px 7px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600;font-size:12px;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.c{font-size:12px;line-height:1.35}
table.grid{table-layout:fixed}table.grid th:first-child{width:110px}
.tag.row{margin:0 0 0 6px}
.verified{background:#dafbe1}.revealed{background:#fff8c5}.skipped{background:#eaeef2}
.unfinished{background:#ffebe9}
td.untrusted{background:repeating-linear-gradient(135deg,#fff,#fff 6px,#ffebe9 6px,#ffebe9 12px);color:#57606a}.none{color:var(--mute);text-align:center}
.tag{display:inline-block;border-radius:10px;padding:0 7px;font-size:11px;font-weight:600;
 border:1px solid currentColor;margin-left:3px}
.t-ok{color:var(--ok)}.t-warn{color:var(--warn)}.t-bad{color:var(--bad)}.t-mute{color:var(--mute)}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.chart{border:1px solid var(--line);border-radius:8px;padding:10px;background:#fff}
.chart h3{font-size:14px;margin:0 0 6px}
.legend{font-size:12px;color:var(--mute)}.legend i{display:inline-block;width:10px;height:10px;
 margin:0 4px 0 10px;border-radius:2px;vertical-align:-1px}
.flags li{margin:2px 0}.flags code{font-size:12px}
footer{margin-top:30px;color:var(--mute);font-size:12px}
@media print{.charts{grid-template-columns:1fr}}
"""

_OUTCOMES = (("solved alone", "#2da44e"), ("with solution", "#d4a72c"),
             ("skipped", "#afb8c1"), ("unfinished", "#e5534b"))
_FLAG_CLASS = {"tampered": "t-bad", "invalid": "t-bad", "live-failed": "t-bad",
               "duplicate": "t-warn", "missing": "t-warn", "unsigned": "t-warn",
               "unverified": "t-mute"}


def to_html(report: ClassReport) -> str:
    labs = ", ".join(report.labs) or "no lab"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>crashlab class report — {escape(labs)}</title>", f"<style>{_CSS}</style>",
        "</head><body>",
        f"<h1>crashlab class report — {escape(labs)}</h1>",
        f'<p class="sub">{len(report.participants)} participants · {len(report.scenarios)} '
        f"scenarios{' · re-checked live on the cluster' if report.live else ''}"
        f"{' · generated ' + escape(report.generated_at) if report.generated_at else ''}</p>",
        _cards(report), "<h2>Scenarios</h2>", _charts(report), _figures_table(report),
        "<h2>Participants</h2>", _grid(report), _flags(report),
        "<footer>Times are from the lab's own clock: diagnose = scenario start to the right "
        "cause, fix = scenario start to the verified fix. Class figures count only files "
        "that passed verification (ok, unsigned, unverified).</footer>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _cards(report: ClassReport) -> str:
    counted = [r for r in report.rows if r.counted and r.status != "pending"]
    alone = sum(r.verified and not r.revealed for r in counted)
    revealed = sum(r.revealed for r in counted)
    first = sum(r.first_try for r in counted)
    cards = [(f"{alone}/{len(counted)}", "fixed and verified on the cluster"),
             (str(revealed), "solutions revealed"),
             (f"{first}/{len(counted)}", "causes named first time"),
             (escape(report.hardest or "-"), "hardest scenario"),
             (str(len(report.flags)), escape(report.files_to_look_at.split(" ", 1)[1]))]
    return '<div class="cards">' + "".join(f"<div class=\"card\"><b>{v}</b><span>{k}</span></div>"
                                           for v, k in cards) + "</div>"


def _charts(report: ClassReport) -> str:
    return ('<div class="charts">'
            f'<div class="chart"><h3>Median time per scenario (minutes)</h3>{_time_chart(report.figures)}'
            '<div class="legend"><i style="background:#54aeff"></i>to diagnose'
            '<i style="background:#0969da"></i>to a verified fix</div></div>'
            f'<div class="chart"><h3>Outcomes per scenario</h3>{_outcome_chart(report.figures)}'
            '<div class="legend">' + "".join(f'<i style="background:{c}"></i>{n}' for n, c in _OUTCOMES)
            + "</div></div></div>")


def _time_chart(figures: list[ScenarioFigure]) -> str:
    label_w, width, bar_h, gap = 170, 540, 12, 12
    height = max(1, len(figures)) * (2 * bar_h + gap) + 24
    peak = max([f.median_fix or 0 for f in figures] + [f.median_diagnose or 0 for f in figures] + [60])
    scale = (width - label_w - 60) / peak
    svg = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
           'aria-label="median times per scenario" xmlns="http://www.w3.org/2000/svg" '
           'font-family="system-ui,sans-serif" font-size="12">']
    for i, figure in enumerate(figures):
        y = 4 + i * (2 * bar_h + gap)
        svg.append(f'<text x="{label_w - 8}" y="{y + bar_h + 4}" text-anchor="end">'
                   f"{escape(figure.scenario)}</text>")
        for j, (value, colour) in enumerate(((figure.median_diagnose, "#54aeff"),
                                             (figure.median_fix, "#0969da"))):
            top = y + j * bar_h
            length = (value or 0) * scale
            svg.append(f'<rect x="{label_w}" y="{top}" width="{length:.1f}" height="{bar_h - 2}" '
                       f'fill="{colour}" rx="2"/>')
            svg.append(f'<text x="{label_w + length + 5:.1f}" y="{top + bar_h - 3}" '
                       f'fill="#57606a" font-size="11">{format_seconds(value)}</text>')
    axis = height - 14
    for minute in _ticks(peak / 60):
        x = label_w + minute * 60 * scale
        svg.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{axis}" stroke="#d0d7de" '
                   'stroke-dasharray="2 3"/>')
        svg.append(f'<text x="{x:.1f}" y="{height - 2}" text-anchor="middle" fill="#57606a" '
                   f'font-size="11">{minute:g}</text>')
    svg.append("</svg>")
    return "".join(svg)


def _ticks(peak_minutes: float) -> list[float]:
    step = next(s for s in (0.5, 1, 2, 5, 10, 15, 30, 60, 120) if peak_minutes / s <= 6)
    count = int(peak_minutes // step) + 1
    return [step * i for i in range(count + 1) if step * i <= peak_minutes * 1.02 or i == 0]


def _outcome_chart(figures: list[ScenarioFigure]) -> str:
    label_w, width, bar_h, gap = 170, 540, 18, 10
    height = max(1, len(figures)) * (bar_h + gap) + 6
    svg = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
           'aria-label="outcomes per scenario" xmlns="http://www.w3.org/2000/svg" '
           'font-family="system-ui,sans-serif" font-size="12">']
    for i, f in enumerate(figures):
        y = 4 + i * (bar_h + gap)
        svg.append(f'<text x="{label_w - 8}" y="{y + bar_h - 5}" text-anchor="end">'
                   f"{escape(f.scenario)}</text>")
        values = (f.solved_alone, f.revealed, f.skipped, f.unfinished)
        total = max(1, sum(values))
        x = float(label_w)
        span = width - label_w - 10
        for (name, colour), value in zip(_OUTCOMES, values):
            if not value:
                continue
            w = span * value / total
            svg.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                       f"<title>{name}: {value}</title></rect>")
            if w > 18:
                svg.append(f'<text x="{x + w / 2:.1f}" y="{y + bar_h - 5}" text-anchor="middle" '
                           f'fill="#fff" font-size="11" font-weight="600">{value}</text>')
            x += w
    svg.append("</svg>")
    return "".join(svg)


def _figures_table(report: ClassReport) -> str:
    head = ("scenario", "reached", "fixed", "solution revealed", "cause first time",
            "median diagnose", "median fix", "hints", "wrong answers")
    out = ["<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
    for f in report.figures:
        n = f.participants
        name = escape(f.scenario)
        if f.scenario == report.hardest:
            name += ' <span class="tag t-bad">hardest</span>'
        wrong = "<br>".join(f"{escape(report.answer_text(f.scenario, a))} ×{c}"
                            for a, c in f.wrong_answers.items()) or "-"
        cells = (str(n), f"{f.solved_alone}/{n}", f"{f.revealed}/{n}", f"{f.first_try}/{n}",
                 format_seconds(f.median_diagnose), format_seconds(f.median_fix), str(f.hints))
        out.append(f"<tr><td>{name}</td>" + "".join(f'<td class="num">{c}</td>' for c in cells)
                   + f'<td class="c">{wrong}</td></tr>')
    out.append("</table>")
    out.append('<p class="legend">reached: participants who got to the scenario · fixed: fixed '
               "and verified without the solution · solution revealed · cause first time: the "
               "cause named on the first try · median diagnose: scenario start to the right cause "
               "· median fix: scenario start to the verified fix · hints: hints shown, all "
               "participants · wrong answers: wrong causes chosen, with how often</p>")
    if report.hardest:
        out.append(f"<p><b>Hardest:</b> {escape(report.hardest)} — {escape(report.hardest_why)}.</p>")
    if report.common_wrong:
        items = "".join(f"<li><b>{escape(report.answer_text(s, a))}</b> for {escape(s)} ({n}×)</li>"
                        for s, a, n in report.common_wrong[:5])
        out.append(f"<p><b>Most common wrong answers:</b></p><ol>{items}</ol>")
    return "".join(out)


def _grid(report: ClassReport) -> str:
    out = ['<table class="grid"><tr><th>participant</th>'
           + "".join(f"<th>{escape(s)}</th>" for s in report.scenarios) + "</tr>"]
    trouble = {f.participant: f.kind for f in report.flags
               if f.participant and f.kind in ("missing", "invalid", "tampered")}
    for participant in report.participants:
        tag = trouble.get(participant)
        tag = (f'<br><span class="tag {_FLAG_CLASS.get(tag, "t-mute")}">{escape(tag)}</span>'
               if tag in ("missing", "invalid") else "")
        out.append(f"<tr><td>{escape(participant)}{tag}</td>")
        out += [_cell(report.row(participant, s)) for s in report.scenarios]
        out.append("</tr>")
    out.append("</table>")
    out.append('<p class="legend">Each cell: outcome (fixed = verified on the cluster) · fix time · '
               "tries to name the cause · hints (h) · evidence shown (e). Tags: solution shown, "
               "reset ×N (the learner started the scenario again), the live re-check, and files "
               "that did not verify.</p>")
    return "".join(out)


def _cell(row: Row | None) -> str:
    if row is None:
        return '<td class="none">·</td>'
    css = {"verified": "verified", "revealed": "revealed", "skipped": "skipped"}.get(row.status,
                                                                                   "unfinished")
    label = {"verified": "fixed", "revealed": "revealed"}.get(row.status, row.status)
    bits = [f"<b>{escape(label)}</b>"]
    if row.verified and row.time_to_fix is not None:
        bits.append(format_seconds(row.time_to_fix))
    if row.diagnosed:
        bits.append("1st try" if row.first_try else f"{row.cause_attempts} tries")
    if row.hints:
        bits.append(f"h{row.hints}")
    if row.evidence_shown:
        bits.append(f"e{row.evidence_shown}")
    tags = ""
    if row.revealed and row.status != "revealed":
        tags += '<span class="tag t-warn">solution shown</span>'
    if row.resets:
        tags += f'<span class="tag t-warn">reset ×{row.resets}</span>'
    if row.trust not in ("ok", "live"):
        tags += f'<span class="tag {_FLAG_CLASS.get(row.trust, "t-mute")}">{escape(row.trust)}</span>'
    if row.live:
        cls = "t-ok" if row.live == "fixed" else "t-bad"
        title = f' title="{escape(row.live_detail)}"' if row.live_detail else ""
        tags += f'<span class="tag {cls}"{title}>live {escape(row.live)}</span>'
    tags = f"<br>{tags}" if tags else ""
    if row.trust in ("tampered", "invalid"):
        css = "untrusted"
    return f'<td class="c {css}">{" · ".join(bits)}{tags}</td>'


def _flags(report: ClassReport) -> str:
    if not report.flags:
        return '<h2>Files</h2><p class="t-ok">Every results file verified.</p>'
    items = []
    for flag in report.flags:
        where = escape(PurePath(flag.source).name if flag.source else flag.participant or "")
        title = f' title="{escape(flag.source)}"' if flag.source else ""
        items.append(f'<li><span class="tag {_FLAG_CLASS.get(flag.kind, "t-mute")}">'
                     f"{escape(flag.kind)}</span> <code{title}>{where}</code> — "
                     f"{escape(flag.reason)}</li>")
    return (f"<h2>Files to look at</h2><p>{escape(report.files_to_look_at)}</p>"
            f'<ul class="flags">{"".join(items)}</ul>')
