# SPDX-License-Identifier: Apache-2.0
"""A self-contained HTML report: no scripts, no external files, charts as inline SVG."""

from __future__ import annotations

from html import escape

from jinja2 import Environment, select_autoescape

from rightparty.reports.summary import RunSummary

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rightparty — run report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#1d2733;max-width:980px}
h1{font-size:1.5rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse}td,th{padding:.25rem .75rem;border-bottom:1px solid #dde3ea;
text-align:right}th:first-child,td:first-child{text-align:left}
.ok{color:#1b7f3b;font-weight:600}.bad{color:#b3261e;font-weight:600}
.kpis{display:flex;gap:1.5rem;flex-wrap:wrap}.kpi{background:#f3f6f9;padding:.75rem 1rem;
border-radius:6px}.kpi b{display:block;font-size:1.4rem}
</style></head><body>
<h1>rightparty — {{ title }}</h1>
<div class="kpis">
<div class="kpi"><b>{{ s.customers }}</b>customers</div>
<div class="kpi"><b>{{ s.cases }}</b>cases</div>
<div class="kpi"><b>{{ s.attempts }}</b>attempts</div>
<div class="kpi"><b>{{ s.reached }}</b>cases reached</div>
<div class="kpi"><b>{{ s.third_party_contacts }}</b>third-party contacts</div>
<div class="kpi"><b class="{{ 'ok' if s.audit_verified else 'bad' }}">
{{ 'verified' if s.audit_verified else 'FAILED' }}</b>audit log</div>
</div>
<h2>Attempts and reach by channel</h2>{{ channel_chart }}
<table><tr><th>channel</th><th>attempts</th><th>reached</th><th>reach rate</th></tr>
{% for channel, row in s.by_channel.items() %}<tr><td>{{ channel }}</td><td>{{ row.attempts }}</td>
<td>{{ row.reached }}</td><td>{{ '%.0f%%' % (100 * row.reached / row.attempts) if row.attempts
else '—' }}</td></tr>{% endfor %}</table>
<h2>Unreachable cases by reason</h2>{{ unreachable_chart }}
<h2>Contacts the policy engine blocked, by reason code</h2>{{ blocked_chart }}
<h2>Cases by purpose and status</h2>
<table><tr><th>purpose</th>{% for status in statuses %}<th>{{ status }}</th>{% endfor %}</tr>
{% for purpose, row in s.cases_by_purpose.items() %}<tr><td>{{ purpose }}</td>
{% for status in statuses %}<td>{{ row.get(status, 0) }}</td>{% endfor %}</tr>{% endfor %}</table>
<p>Every figure is read back from the database after the run; no personal data appears here.</p>
</body></html>
"""


def bar_chart(values: dict[str, int], *, colour: str = "#2f6fb0") -> str:
    """Horizontal bars as inline SVG; labels escaped."""
    if not values or not any(values.values()):
        return "<p>none</p>"
    top = max(values.values())
    row, label_width, bar_width = 22, 200, 560
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 60}" '
        f'height="{row * len(values) + 4}" role="img">'
    ]
    for index, (label, value) in enumerate(values.items()):
        y = index * row + 2
        width = round(bar_width * value / top) if top else 0
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="13">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{width}" height="{row - 6}" fill="{colour}"/>'
            f'<text x="{label_width + width + 6}" y="{y + 15}" font-size="13">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_report(summary: RunSummary, *, title: str) -> str:
    environment = Environment(autoescape=select_autoescape(default=True))
    template = environment.from_string(_TEMPLATE)
    statuses = sorted({status for row in summary.cases_by_purpose.values() for status in row})
    channel_attempts = {name: row["attempts"] for name, row in summary.by_channel.items()}
    return template.render(
        title=title,
        s=summary,
        statuses=statuses,
        channel_chart=_markup(bar_chart(channel_attempts)),
        unreachable_chart=_markup(bar_chart(summary.unreachable, colour="#b3261e")),
        blocked_chart=_markup(bar_chart(summary.blocked, colour="#8a5a00")),
    )


def _markup(svg: str) -> object:
    from markupsafe import Markup  # noqa: PLC0415 - jinja2's own dependency, needed only here

    return Markup(svg)  # noqa: S704 - every label inside was escaped by bar_chart
