"""A server-rendered SVG chart of cumulative costs: budget as a line, outcome as bars. No JavaScript,
no library: the geometry is computed here and the template draws it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 28


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class Chart:
    width: int
    height: int
    budget_points: str
    bars: list[Bar]
    months: list[tuple[float, str]]
    ticks: list[Tick]
    baseline: float


def _nice_max(value: Decimal) -> Decimal:
    if value <= 0:
        return Decimal(1000)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        candidate = magnitude * Decimal(str(step))
        if candidate >= value:
            return candidate
    return magnitude * 10


def cumulative_cost_chart(points) -> Chart:
    values = [p.budget_costs for p in points] + [
        p.outcome_costs for p in points if p.outcome_costs is not None
    ]
    top = _nice_max(max(values, default=Decimal(0)))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / len(points)

    def y_of(value: Decimal) -> float:
        return round(TOP + plot_height - float(value / top) * plot_height, 1)

    budget = " ".join(
        f"{round(LEFT + step * (i + 0.5), 1)},{y_of(p.budget_costs)}" for i, p in enumerate(points)
    )
    bars = [
        Bar(
            x=round(LEFT + step * i + step * 0.2, 1),
            y=y_of(p.outcome_costs),
            width=round(step * 0.6, 1),
            height=round(TOP + plot_height - y_of(p.outcome_costs), 1),
            label=p.label,
        )
        for i, p in enumerate(points)
        if p.outcome_costs is not None
    ]
    ticks = [
        Tick(y=y_of(top * i / 4), label=f"{int(top * i / 4 / 1000):,}".replace(",", " ")) for i in range(5)
    ]
    months = [(round(LEFT + step * (i + 0.5), 1), p.label) for i, p in enumerate(points)]
    return Chart(WIDTH, HEIGHT, budget, bars, months, ticks, baseline=TOP + plot_height)
