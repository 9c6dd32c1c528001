"""Geometry of small bar charts, drawn as SVG by the templates.

Why server-side SVG: the UI must work offline and under a CSP without inline
scripts or styles, so no charting library and no `style=` attributes. Python
computes every rectangle here; the template only writes them out (with <title>
children as tooltips), and CSS classes give the series their colours.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    series: int  # index, for the CSS class
    label: str  # tooltip
    value: int


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    text: str


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    baseline: float = 0.0
    left: float = 0.0
    right: float = 0.0
    maximum: int = 0

    @property
    def empty(self) -> bool:
        return self.maximum == 0


def _nice_max(value: int) -> int:
    """Round the axis up to 1, 2 or 5 times a power of ten, so ticks read well."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Sequence[int]],
    *,
    names: Sequence[str] = (),
    width: int = 640,
    height: int = 160,
    max_x_ticks: int = 8,
    first_series: int = 0,
) -> Chart:
    """Grouped bars: one group per label, one bar per series within it (coloured by
    the CSS class `s<first_series + index>`)."""
    left, right, top, bottom = 32.0, 8.0, 8.0, 22.0
    chart = Chart(width=width, height=height, left=left, right=width - right)
    chart.baseline = height - bottom
    if not labels or not series:
        return chart
    peak = max((max(s, default=0) for s in series), default=0)
    chart.maximum = peak
    top_value = _nice_max(peak)
    plot_w, plot_h = width - left - right, height - top - bottom
    group_w = plot_w / len(labels)
    gap = min(4.0, group_w * 0.2)
    bar_w = max(1.0, (group_w - gap) / len(series))
    for i, label in enumerate(labels):
        for k, values in enumerate(series):
            value = values[i] if i < len(values) else 0
            h = plot_h * value / top_value
            name = f"{names[k]}: " if k < len(names) else ""
            chart.bars.append(
                Bar(
                    x=round(left + i * group_w + gap / 2 + k * bar_w, 2),
                    y=round(chart.baseline - h, 2),
                    w=round(bar_w, 2),
                    h=round(h, 2),
                    series=first_series + k,
                    label=f"{label} — {name}{value}",
                    value=value,
                )
            )
    every = max(1, math.ceil(len(labels) / max_x_ticks))
    for i in range(0, len(labels), every):
        x = left + (i + 0.5) * group_w
        chart.x_ticks.append(Tick(round(x, 2), height - 6, labels[i]))
    for fraction in (0.0, 0.5, 1.0):
        tick_value = top_value * fraction
        if fraction == 0.5 and top_value % 2:
            continue  # no half-documents on the axis
        y = chart.baseline - plot_h * fraction
        chart.y_ticks.append(Tick(left - 4, round(y + 4, 2), f"{tick_value:g}"))
    return chart


def stacked_chart(
    labels: Sequence[str],
    series: Sequence[Sequence[int]],
    *,
    names: Sequence[str],
    ticks: dict[int, str],
    classes: Sequence[int] = (),
    width: int = 720,
    height: int = 170,
) -> Chart:
    """One bar per label, its series stacked (CSS class `s<classes[k]>`, or `s<k>`):
    a theme's weekly count with its make-up (official/media, RU/KZ) in one column,
    which reads at a glance where side-by-side thin bars did not. `ticks`: the
    x labels by index (a month's name at its first week)."""
    left, right, top, bottom = 32.0, 8.0, 8.0, 22.0
    chart = Chart(width=width, height=height, left=left, right=width - right)
    chart.baseline = height - bottom
    if not labels or not series:
        return chart
    sums = [sum(s[i] for s in series) for i in range(len(labels))]
    chart.maximum = max(sums, default=0)
    top_value = _nice_max(chart.maximum)
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / len(labels)
    gap = min(3.0, slot * 0.25)
    for i, label in enumerate(labels):
        y = chart.baseline
        for k, values in enumerate(series):
            value = values[i]
            h = plot_h * value / top_value
            y -= h
            chart.bars.append(
                Bar(
                    x=round(left + i * slot + gap / 2, 2),
                    y=round(y, 2),
                    w=round(max(1.0, slot - gap), 2),
                    h=round(h, 2),
                    series=classes[k] if k < len(classes) else k,
                    label=f"{label} — {names[k]}: {value} / {sums[i]}",
                    value=value,
                )
            )
    for i, text in ticks.items():
        chart.x_ticks.append(Tick(round(left + (i + 0.5) * slot, 2), height - 6, text))
    for fraction in (0.0, 0.5, 1.0):
        tick_value = top_value * fraction
        if fraction == 0.5 and top_value % 2:
            continue
        y_tick = chart.baseline - plot_h * fraction
        chart.y_ticks.append(Tick(left - 4, round(y_tick + 4, 2), f"{tick_value:g}"))
    return chart


def sparkline(values: Sequence[int], width: int = 120, height: int = 24) -> str:
    """The `points` of an SVG polyline of `values` (a trend beside a table row)."""
    if not values:
        return ""
    peak = max(max(values), 1)
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{round(i * step, 1):g},{round(height - 2 - (height - 4) * v / peak, 1):g}"
        for i, v in enumerate(values)
    )
