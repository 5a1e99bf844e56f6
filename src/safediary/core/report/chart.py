"""The cover chart: incidents per week (or month), stacked by kind of behaviour."""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from safediary.core.diary import taxonomy
from safediary.core.pattern.pattern import PatternSummary
from safediary.core.report.text import MUTED, SANS, SANS_BOLD, register_fonts

#: Kinds drawn in their own colour; the rest are grouped as "Other kinds".
MAX_SERIES = 7
OTHER = "__other__"
NONE = "__none__"

# Okabe-Ito colours: told apart by most people with colour-blindness and in greyscale print.
PALETTE = (
    "#D55E00",
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
)
OTHER_COLOUR = "#9a9a9a"
_NONE_COLOUR = "#d0d0d0"
_NAMES = {OTHER: "Other kinds", NONE: "Kind not recorded"}


def chart_series(summary: PatternSummary) -> list[str]:
    """The kinds to draw: the most frequent each get a colour (on a tie, serious kinds
    first); the least frequent share "Other kinds", so that stays the smallest part."""
    ranked = sorted(
        summary.kind_counts,
        key=lambda k: (-summary.kind_counts[k], k not in taxonomy.SERIOUS_KINDS, k),
    )
    if len(ranked) <= MAX_SERIES:
        return ranked
    return [*ranked[: MAX_SERIES - 1], OTHER]


def other_kinds(summary: PatternSummary, series: list[str]) -> list[str]:
    """The kinds grouped as "Other kinds", most frequent first."""
    drawn = set(series)
    return [
        k
        for k in sorted(summary.kind_counts, key=lambda k: -summary.kind_counts[k])
        if k not in drawn
    ]


def incidents_chart(
    summary: PatternSummary,
    width: float,
    height: float = 190,
    without_kind: list[int] | None = None,
) -> Drawing:
    """A stacked bar chart of the summary's buckets, with a legend below it.

    ``without_kind`` gives, per bucket, the entries that record no kind at all
    (drawn as "Kind not recorded" so every entry shows in the chart).
    """
    register_fonts()
    series = chart_series(summary)
    buckets = summary.buckets
    drawn = [k for k in series if k != OTHER]
    rows: list[list[int]] = []
    for kind in series:
        if kind == OTHER:
            rows.append([sum(n for k, n in b.counts.items() if k not in drawn) for b in buckets])
        else:
            rows.append([b.counts.get(kind, 0) for b in buckets])
    if without_kind and any(without_kind):
        series.append(NONE)
        rows.append(list(without_kind))
    legend_rows = max(1, (len(series) + 1) // 2)
    legend_height = 12 * legend_rows + 6
    drawing = Drawing(width, height + legend_height)

    chart = VerticalBarChart()
    chart.x = 28
    chart.y = legend_height + 30
    chart.width = width - 36
    chart.height = height - 56
    chart.data = rows or [[0]]
    chart.categoryAxis.style = "stacked"
    chart.barSpacing = 0
    chart.groupSpacing = 2 if len(buckets) > 30 else 4
    chart.bars.strokeColor = colors.white
    chart.bars.strokeWidth = 0.3
    for index, kind in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        if kind in (OTHER, NONE):
            colour = OTHER_COLOUR if kind == OTHER else _NONE_COLOUR
        chart.bars[index].fillColor = colors.HexColor(colour)

    step = max(1, -(-len(buckets) // 14))  # at most ~14 labels
    chart.categoryAxis.categoryNames = [
        b.label if i % step == 0 else "" for i, b in enumerate(buckets)
    ] or [""]
    chart.categoryAxis.labels.fontName = SANS
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 35 if len(buckets) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(buckets) > 8 else "n"
    chart.categoryAxis.labels.dy = -2
    chart.categoryAxis.strokeColor = MUTED

    peak = max((sum(col) for col in zip(*rows, strict=True)), default=0) if rows else 0
    top = max(4, peak)
    value_step = max(1, -(-top // 5))
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = value_step * -(-top // value_step)
    chart.valueAxis.valueStep = value_step
    chart.valueAxis.labels.fontName = SANS
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.strokeColor = MUTED
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.valueAxis.gridStrokeWidth = 0.4
    drawing.add(chart)

    unit = "week" if summary.granularity == "week" else "month"
    drawing.add(
        String(
            0,
            height + legend_height - 12,
            f"Behaviours recorded per {unit} (weeks start on Monday)"
            if unit == "week"
            else f"Behaviours recorded per {unit}",
            fontName=SANS_BOLD,
            fontSize=8.5,
            fillColor=MUTED,
        )
    )

    legend = Legend()
    legend.x = 28
    legend.y = legend_height - 4
    legend.alignment = "right"
    legend.fontName = SANS
    legend.fontSize = 7.5
    legend.columnMaximum = legend_rows
    legend.deltax = (width - 36) / 2
    legend.dx = 7
    legend.dy = 7
    legend.dxTextSpace = 4
    legend.deltay = 12
    legend.strokeWidth = 0
    others = other_kinds(summary, series)
    names = dict(_NAMES)
    if others:
        names[OTHER] = f"{len(others)} other kinds (each fewer times)"
    legend.colorNamePairs = [
        (
            chart.bars[i].fillColor,
            names.get(kind) or taxonomy.label(kind),
        )
        for i, kind in enumerate(series)
    ]
    drawing.add(legend)
    return drawing
