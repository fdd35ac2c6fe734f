"""A seller's active points over the record window, drawn as inline SVG (no script, no
library): one step line of points per day, and the ladder's thresholds across it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from contraband.ledger.views import EntryView

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28


@dataclass(frozen=True, slots=True)
class Threshold:
    points: float
    label: str


def points_per_day(
    entries: Sequence[EntryView], end: dt.datetime, days: int
) -> list[tuple[dt.date, float]]:
    """Active points at the end of each of the `days` days up to `end`."""
    first = (end - dt.timedelta(days=days - 1)).date()
    out = []
    for n in range(days):
        day = first + dt.timedelta(days=n)
        moment = min(end, dt.datetime.combine(day, dt.time.max, tzinfo=end.tzinfo))
        active = sum(e.points for e in entries if e.at <= moment < e.expires_at)
        out.append((day, round(active, 6)))
    return out


def points_chart(
    series: Sequence[tuple[dt.date, float]], thresholds: Sequence[Threshold], title: str
) -> str:
    """The SVG (a figure with a text alternative) of `series` with `thresholds`."""
    top_value = max([p for _, p in series] + [t.points for t in thresholds] + [1.0]) * 1.1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(series) - 1, 1)

    def x(i: int) -> float:
        return LEFT + plot_w * i / n

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top_value)

    path = [f"M{x(0):.1f},{y(series[0][1] if series else 0):.1f}"]
    path += [f"H{x(i):.1f}V{y(value):.1f}" for i, (_, value) in enumerate(series) if i]
    lines = [
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(t.points):.1f}" y2="{y(t.points):.1f}" '
        f'class="threshold"/><text x="{WIDTH - RIGHT - 4}" y="{y(t.points) - 4:.1f}" '
        f'text-anchor="end" class="threshold-label">{escape(t.label)} · {t.points:g}</text>'
        for t in thresholds
    ]
    ticks = [
        f'<text x="{x(i):.1f}" y="{HEIGHT - 8}" text-anchor="middle" class="tick">'
        f"{day.strftime('%b %Y')}</text>"
        for i, (day, _) in enumerate(series)
        if day.day == 1
    ]
    now = series[-1][1] if series else 0.0
    summary = f"{title}: {now:g} active points now; thresholds at " + ", ".join(
        f"{t.points:g} ({t.label})" for t in thresholds
    )
    return (
        f'<figure class="chart"><svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(summary)}">'
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" class="axis"/>'
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
        f'class="axis"/><text x="{LEFT - 6}" y="{y(0):.1f}" text-anchor="end" class="tick">0'
        f"</text>{''.join(lines)}{''.join(ticks)}"
        f'<path d="{"".join(path)}" class="points"/></svg>'
        f"<figcaption>{escape(summary)}</figcaption></figure>"
    )
