"""Tiny server-side SVG charts: plain data (positions in percent and pixels) that the Jinja macros in
templates/organizer/_charts.html turn into SVG. No JavaScript, no chart library.

Widths are percentages of the chart's width, so a chart fills a 360 px phone and a desktop card
alike; heights are pixels, so text never stretches. Each label sits above its bar, where a long
delegation name has the whole width to itself.
"""

from __future__ import annotations

from dataclasses import dataclass

# Colour-blind-safe (Okabe-Ito based), dark enough for white text on a segment.
PALETTE = ("#0f4c5c", "#b35c1e", "#1f6e43", "#7a4f9a", "#a4262c", "#4a5a67")

# Request states and meeting states: waiting, good, refused, lapsed, withdrawn.
PENDING, GOOD, REFUSED, LAPSED, WITHDRAWN = "#0f4c5c", "#1f6e43", "#a4262c", "#6b6357", "#7a4f9a"
WARNING = "#b35c1e"

BAR_HEIGHT = 16
LABEL_HEIGHT = 18
ROW_GAP = 10
# The longest bar stops short of the edge, leaving room for its number.
MAX_BAR_PERCENT = 86.0
LABEL_MAX = 48


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str  # what fits above the bar; the full label is in the table and the <title>
    value: int
    label_y: int
    bar_y: int
    width: float  # percent of the chart width
    value_x: float  # percent
    colour: str


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    bar_height: int = BAR_HEIGHT

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)


@dataclass(frozen=True)
class Segment:
    label: str
    value: int
    x: float  # percent
    width: float  # percent
    colour: str
    percent: int  # rounded share, for the legend


@dataclass(frozen=True)
class StackedBar:
    title: str
    segments: list[Segment]
    total: int
    height: int = 28


def _shorten(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1].rstrip() + "…"


def bar_chart(title: str, items: list[tuple[str, int]], colour: str = PALETTE[0]) -> BarChart:
    """One horizontal bar per item, in the given order, scaled to the largest value."""
    top = max((v for _, v in items), default=0)
    bars = []
    y = 0
    for label, value in items:
        width = round(MAX_BAR_PERCENT * value / top, 2) if top else 0.0
        # A zero still shows a sliver, so the row does not look like a rendering fault.
        shown = max(width, 0.5)
        bars.append(Bar(label=label, short_label=_shorten(label), value=value, label_y=y + LABEL_HEIGHT - 5,
                        bar_y=y + LABEL_HEIGHT, width=shown, value_x=round(shown + 1.5, 2), colour=colour))
        y += LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    return BarChart(title=title, bars=bars, height=max(y - ROW_GAP, BAR_HEIGHT))


def stacked_bar(title: str, items: list[tuple[str, int]], colours: tuple[str, ...] = PALETTE) -> StackedBar:
    """One bar split into the items' shares (request states); empty items keep their legend entry."""
    total = sum(v for _, v in items)
    segments = []
    x = 0.0
    for i, (label, value) in enumerate(items):
        width = round(100.0 * value / total, 2) if total else 0.0
        segments.append(Segment(label=label, value=value, x=round(x, 2), width=width,
                                colour=colours[i % len(colours)],
                                percent=round(100 * value / total) if total else 0))
        x += width
    return StackedBar(title=title, segments=segments, total=total)
