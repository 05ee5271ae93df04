"""The class view's web page: one self-contained HTML file (no external assets). Pure.

The first view is embedded in the page, so it shows the grid before any script has run
a request; the script then follows `/events` (server-sent events) and, if that stream
breaks, polls `/view.json` every second.
"""

from __future__ import annotations

import html
import json

from runner.classview.model import ClassView

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.2em;color:#1d232a}
h1{font-size:1.3em;margin:0 0 .3em}
.summary{display:flex;gap:1.4em;flex-wrap:wrap;margin:.4em 0 1em}
.summary b{font-size:1.2em}
table{border-collapse:collapse}
th,td{border:1px solid #d0d7de;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f5f7;position:sticky;top:0}
td.cell{min-width:7.5em}
.s-not-started{color:#8a939c}
.s-deployed{background:#eef3f8}
.s-crash-looping{background:#fde7e4}
.s-answered{background:#fff4d6}
.s-fixing{background:#ffe9c2}
.s-verified{background:#dff3e3}
.s-revealed{background:#e6e1f5}
.s-skipped{background:#eceff1;color:#5b646c}
.small{font-size:.85em;color:#57606a}
tr.help td.who{border-left:5px solid #cf222e}
.help-text{color:#a40e26;font-weight:600}
.trust-bad{color:#fff;background:#a40e26;padding:0 .3em;border-radius:3px}
.trust-warn{color:#6e4b00;background:#fff1c1;padding:0 .3em;border-radius:3px}
#status{font-size:.85em;color:#57606a}
"""

_SCRIPT = r"""
const WORDS = JSON.parse(document.getElementById('initial').textContent).state_words;
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}
function mins(s) {
  if (s === null || s === undefined) return '';
  return s < 60 ? Math.round(s) + ' s' : Math.floor(s / 60) + ' min';
}
function render(view) {
  const t = view.totals;
  const sum = document.getElementById('summary');
  sum.replaceChildren();
  const items = [['participants', t.participants], ['need help', t.needs_help],
                 ['finished', t.finished], ['verified', t.verified],
                 ['crash-looping', t['crash-looping']], ['records not trusted', t.untrusted]];
  for (const [label, n] of items) {
    const d = el('div'); d.append(el('b', null, String(n)), ' ' + label); sum.append(d);
  }
  const stuck = el('div', 'stuck');
  stuck.textContent = view.most_stuck ? 'most stuck: ' + view.most_stuck + ' (' +
      view.most_stuck_count + ')' : 'nobody is stuck';
  sum.append(stuck);
  const head = document.getElementById('head');
  head.replaceChildren();
  for (const h of ['participant', 'needs help', ...view.scenarios, 'hints', 'on current', 'record'])
    head.append(el('th', null, h));
  const body = document.getElementById('rows');
  body.replaceChildren();
  for (const row of view.rows) {
    const tr = el('tr', row.needs_help ? 'help' : '');
    tr.dataset.participant = row.participant;
    tr.append(el('td', 'who', row.participant));
    tr.append(el('td', 'help-text', row.help.join('; ')));
    for (const cell of row.cells) {
      const td = el('td', 'cell s-' + cell.state);
      td.dataset.scenario = cell.scenario;
      td.dataset.state = cell.state;
      let text = WORDS[cell.state] || cell.state;
      if (cell.tries) text += ' (' + cell.tries + ' tr' + (cell.tries === 1 ? 'y' : 'ies') + ')';
      td.append(el('div', null, text));
      const bits = [];
      if (cell.hints) bits.push(cell.hints + ' hint' + (cell.hints === 1 ? '' : 's'));
      if (cell.pod && cell.state !== 'verified') bits.push(cell.pod);
      if (bits.length) td.append(el('div', 'small', bits.join(' · ')));
      tr.append(td);
    }
    tr.append(el('td', null, String(row.hints)));
    tr.append(el('td', null, (row.current ? row.current + ' ' : '') + mins(row.on_current_seconds)));
    const trust = el('td');
    if (['tampered', 'invalid'].includes(row.trust)) trust.append(el('span', 'trust-bad', row.trust));
    else if (['unsigned', 'unverified'].includes(row.trust)) trust.append(el('span', 'trust-warn', row.trust));
    else trust.textContent = row.trust === 'none' ? 'no record yet' : row.trust;
    if (row.trust_reason && row.trust !== 'ok') trust.title = row.trust_reason;
    tr.append(trust);
    body.append(tr);
  }
  document.getElementById('status').textContent = 'updated ' + view.generated_at;
  document.body.dataset.generated = view.generated_at;
}
render(JSON.parse(document.getElementById('initial').textContent));
function poll() {
  fetch('view.json', {cache: 'no-store'}).then(r => r.json()).then(render)
    .catch(() => {}).finally(() => setTimeout(poll, 1000));
}
if (window.EventSource) {
  const events = new EventSource('events');
  events.onmessage = (m) => render(JSON.parse(m.data));
  events.onerror = () => { if (events.readyState === EventSource.CLOSED) poll(); };
} else {
  poll();
}
"""


def view_json(view: ClassView) -> str:
    return json.dumps(view.to_dict(), ensure_ascii=False, separators=(",", ":"))


def render_page(view: ClassView) -> str:
    """The whole page, with `view` embedded (safe inside <script>: '<' is escaped)."""
    data = view_json(view).replace("<", "\\u003c")
    title = html.escape(f"crashlab · {view.lab} · class view")
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{title}</h1><div id=\"summary\" class=\"summary\"></div>"
            "<table><thead><tr id=\"head\"></tr></thead><tbody id=\"rows\"></tbody></table>"
            "<p id=\"status\"></p>"
            f"<script type=\"application/json\" id=\"initial\">{data}</script>"
            f"<script>{_SCRIPT}</script></body></html>")
