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
