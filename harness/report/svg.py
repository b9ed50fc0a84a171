"""Inline SVG for the report: DVH plots, history sparklines and status badges.

Plots are drawn from numbers only (coordinates are formatted floats, every other
string is a constant of this module), so nothing a tool prints can reach the markup.
The badge is the one exception that carries text, and it escapes it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import pairwise

from markupsafe import Markup

# Okabe & Ito (2008), safe for the common colour-vision deficiencies; every status
# also carries a text label, so colour is never the only cue.
COLOURS = {"pass": "#009E73", "fail": "#D55E00", "error": "#CC79A7", "skip": "#F0E442",
           "unavailable": "#BBBBBB", "xfail": "#56B4E9"}
TRUTH_COLOUR, TOOL_COLOUR, POINT_COLOUR = "#000000", "#0072B2", "#E69F00"

Point = tuple[float, float]


@dataclass(frozen=True)
class Plot:
    """One ROI's cumulative DVH: the analytic curve, and the tool's curve or points."""

    roi: str
    truth: tuple[Point, ...]
    curve: tuple[Point, ...]
    points: tuple[Point, ...]
    #: what the verdict rests on: the judged DVH values of this ROI (the curve itself is not judged)
    judged: str = ""

    @property
    def summary(self) -> str:
        """A text alternative: the judged values first, then how far the drawn curve is
        from the analytic one (shown, not judged)."""
        drawn = "no analytic curve to compare with"
        if self.truth and self.curve:
            gap, dose = max((abs(_interpolate(self.curve, d) - v), d) for d, v in self.truth)
            drawn = f"largest volume difference of the curve (shown, not judged): {gap:.1f} percentage points at {dose:g} Gy"
            shift = dose_shift(self.truth, self.curve)
            if shift is not None and gap >= 1.0:
                # where the curve falls steeply, a small dose difference is a large volume one:
                # the judged D values measure the former, the picture shows the latter
                drawn += (f"; at equal volume the curves are at most {shift[0]:.2g} Gy apart (at {shift[1]:g} %), "
                          "which is what the judged D values measure")
        elif self.truth:
            drawn = f"{len(self.points)} reported points (D and V values) over the analytic curve"
        return f"{self.judged}; {drawn}" if self.judged else drawn

    @property
    def svg(self) -> Markup:
        return Markup(dvh_svg(self.truth, self.curve, self.points))


def numeric_points(value: object) -> tuple[Point, ...]:
    """``[[dose, volume], ...]`` as float pairs; anything else (or any non-finite number) is no curve."""
    if not isinstance(value, list):
        return ()
    points = []
    for item in value:
        if not (isinstance(item, list | tuple) and len(item) == 2 and all(_is_number(x) for x in item)):
            return ()
        points.append((float(item[0]), float(item[1])))
    return tuple(points)


def _is_number(x: object) -> bool:
    if not isinstance(x, int | float) or isinstance(x, bool):
        return False
    try:
        return math.isfinite(x)
    except OverflowError:  # an integer too large for a float
        return False


def dose_shift(truth: Sequence[Point], curve: Sequence[Point]) -> tuple[float, float] | None:
    """(largest dose difference at equal volume, that volume in %) between two cumulative
    DVHs, over the volumes strictly between 1 % and 99 % (the tails are flat: any dose
    reaches them); None when the curves share no such volume."""
    found = []
    for volume in range(2, 99):
        mine, theirs = _dose_at(curve, volume), _dose_at(truth, volume)
        if mine is not None and theirs is not None:
            found.append((abs(mine - theirs), float(volume)))
    return max(found) if found else None


def _dose_at(curve: Sequence[Point], volume: float) -> float | None:
    """The lowest dose at which a cumulative DVH falls to ``volume`` %."""
    ordered = sorted(curve)
    for (d0, v0), (d1, v1) in pairwise(ordered):
        if v0 >= volume >= v1 and v0 != v1:
            return d0 + (d1 - d0) * (v0 - volume) / (v0 - v1)
    return None


def _interpolate(curve: Sequence[Point], dose: float) -> float:
    ordered = sorted(curve)
    if dose <= ordered[0][0]:
        return ordered[0][1]
    for (d0, v0), (d1, v1) in pairwise(ordered):
        if d0 <= dose <= d1:
            return v0 if d1 == d0 else v0 + (v1 - v0) * (dose - d0) / (d1 - d0)
    return ordered[-1][1]


def _thin(points: Sequence[Point], limit: int = 300) -> Sequence[Point]:
    step = max(1, math.ceil(len(points) / limit))
    return [*points[::step], points[-1]] if step > 1 else points


def _nice_step(span: float, ticks: int = 6) -> float:
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def dvh_svg(truth: Sequence[Point], curve: Sequence[Point], points: Sequence[Point]) -> str:
    """The cumulative DVH over the analytic one and, below it, their difference in
    percentage points of volume, so a 2 % offset that the upper panel hides is visible."""
    width, left, right, top = 380, 46, 12, 10
    main_h, gap, diff_h, bottom = 180, 34, 70, 34
    height = top + main_h + gap + diff_h + bottom
    plot_w = width - left - right
    doses = [d for d, _ in (*truth, *curve, *points)] or [1.0]
    step = _nice_step(max(max(doses), 1e-9))
    x_max = math.ceil(max(doses) / step) * step or step
    differences = _differences(truth, curve, points)
    span = max([abs(dv) for _, dv in differences] + [1.0])
    d_step = _nice_step(span, 2)
    d_max = math.ceil(span / d_step) * d_step
    diff_top = top + main_h + gap

    def x(dose: float) -> float:
        return left + plot_w * min(max(dose, 0.0), x_max) / x_max

    def y(volume: float) -> float:
        return top + main_h * (1 - min(max(volume, 0.0), 105.0) / 105.0)

    def yd(delta: float) -> float:
        return diff_top + diff_h * (0.5 - max(-d_max, min(d_max, delta)) / (2 * d_max))

    def path(series: Sequence[Point], ys=y) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{x(d):.1f},{ys(v):.1f}" for i, (d, v) in enumerate(_thin(series)))

    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
              f'height="{height}" role="img" aria-label="cumulative dose-volume histogram and its difference from '
              f'the analytic one" class="dvh">'),
             f'<rect x="{left}" y="{top}" width="{plot_w}" height="{main_h}" fill="#fff" stroke="#888"/>',
             f'<rect x="{left}" y="{diff_top}" width="{plot_w}" height="{diff_h}" fill="#fff" stroke="#888"/>']
    for i in range(round(x_max / step) + 1):
        dose = i * step
        parts.append(f'<line x1="{x(dose):.1f}" y1="{top}" x2="{x(dose):.1f}" y2="{top + main_h}" stroke="#eee"/>'
                     f'<line x1="{x(dose):.1f}" y1="{diff_top}" x2="{x(dose):.1f}" y2="{diff_top + diff_h}" '
                     f'stroke="#eee"/>'
                     f'<text x="{x(dose):.1f}" y="{diff_top + diff_h + 14}" font-size="10" text-anchor="middle">'
                     f'{dose:g}</text>')
    for volume in (0, 25, 50, 75, 100):
        parts.append(f'<line x1="{left}" y1="{y(volume):.1f}" x2="{left + plot_w}" y2="{y(volume):.1f}" stroke="#eee"/>'
                     f'<text x="{left - 4}" y="{y(volume) + 3:.1f}" font-size="10" text-anchor="end">{volume}</text>')
    for delta in (-d_max, 0.0, d_max):
        parts.append(f'<line x1="{left}" y1="{yd(delta):.1f}" x2="{left + plot_w}" y2="{yd(delta):.1f}" '
                     f'stroke="{"#888" if delta == 0 else "#eee"}"/>'
                     f'<text x="{left - 4}" y="{yd(delta) + 3:.1f}" font-size="10" text-anchor="end">{delta:+g}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" font-size="11" text-anchor="middle">dose (Gy)</text>'
                 f'<text x="12" y="{top + main_h / 2:.1f}" font-size="11" text-anchor="middle" '
                 f'transform="rotate(-90 12 {top + main_h / 2:.1f})">volume (%)</text>'
                 f'<text x="{left + plot_w / 2:.1f}" y="{diff_top - 8}" font-size="10" text-anchor="middle">'
                 f'tool minus analytic (percentage points of volume)</text>')
    if truth:
        parts.append(f'<path d="{path(truth)}" fill="none" stroke="{TRUTH_COLOUR}" stroke-width="1.5" '
                     f'stroke-dasharray="5 3"><title>analytic</title></path>')
    if curve:
        parts.append(f'<path d="{path(curve)}" fill="none" stroke="{TOOL_COLOUR}" stroke-width="2">'
                     f'<title>tool</title></path>')
    for dose, volume in points:
        parts.append(f'<circle cx="{x(dose):.1f}" cy="{y(volume):.1f}" r="3.5" fill="{POINT_COLOUR}" '
                     f'stroke="#000" stroke-width="0.6"/>')
    if curve and differences:
        parts.append(f'<path d="{path(differences, yd)}" fill="none" stroke="{TOOL_COLOUR}" stroke-width="1.5"/>')
    elif differences:
        for dose, delta in differences:
            parts.append(f'<circle cx="{x(dose):.1f}" cy="{yd(delta):.1f}" r="3" fill="{POINT_COLOUR}" '
                         f'stroke="#000" stroke-width="0.6"/>')
    rows = sum(map(bool, (truth, curve, points)))  # bottom left: under a cumulative DVH, always empty
    parts.append(_legend(left + 8, top + main_h - 14 * rows - 10, bool(truth), bool(curve), bool(points)))
    parts.append("</svg>")
    return "".join(parts)


def _differences(truth: Sequence[Point], curve: Sequence[Point], points: Sequence[Point]) -> list[Point]:
    """(dose, tool volume - analytic volume) where the analytic curve covers the dose."""
    if not truth:
        return []
    low, high = min(d for d, _ in truth), max(d for d, _ in truth)
    source = curve or points
    return sorted((d, v - _interpolate(truth, d)) for d, v in source if low <= d <= high)


def _legend(x0: float, y0: float, truth: bool, curve: bool, points: bool) -> str:
    rows, out = [], []
    if truth:
        rows.append(f'<line x1="0" y1="0" x2="18" y2="0" stroke="{TRUTH_COLOUR}" stroke-width="1.5" '
                    f'stroke-dasharray="5 3"/><text x="24" y="3" font-size="10">analytic</text>')
    if curve:
        rows.append(f'<line x1="0" y1="0" x2="18" y2="0" stroke="{TOOL_COLOUR}" stroke-width="2"/>'
                    f'<text x="24" y="3" font-size="10">tool curve</text>')
    if points:
        rows.append(f'<circle cx="9" cy="0" r="3.5" fill="{POINT_COLOUR}" stroke="#000" stroke-width="0.6"/>'
                    f'<text x="24" y="3" font-size="10">tool D/V values</text>')
    for i, row in enumerate(rows):
        out.append(f'<g transform="translate({x0:.1f} {y0 + 6 + 14 * i:.1f})">{row}</g>')
    return (f'<rect x="{x0 - 4:.1f}" y="{y0:.1f}" width="116" height="{14 * len(rows) + 2}" fill="#fff" '
            f'stroke="#ccc"/>' + "".join(out)) if rows else ""


# Shape carries the status as well as colour: a full bar passes, a low bar fails, a
# dot is any other status, and a gap is a run in which the check did not run.
_SPARK = {"pass": (1, 14), "fail": (11, 4)}


def sparkline_svg(statuses: Sequence[tuple[str, str | None]]) -> Markup:
    """The last runs of one check, oldest first, with a text label saying the same."""
    width = 6 * len(statuses) + 2
    said = ", ".join(s or "not run" for _, s in statuses)
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="16" viewBox="0 0 {width} 16" '
              f'role="img" aria-label="{escape(f"last {len(statuses)} runs, oldest first: {said}")}" class="spark">'),
             f'<line x1="0" y1="15.5" x2="{width}" y2="15.5" stroke="#bbb"/>']
    for i, (label, status) in enumerate(statuses):
        if status is None:
            continue
        colour = COLOURS.get(status, "#777")
        x = 1 + 6 * i
        if status in _SPARK:
            y, h = _SPARK[status]
            shape = f'<rect x="{x}" y="{y}" width="4" height="{h}" fill="{colour}" stroke="#000" stroke-width="0.4">'
            parts.append(f"{shape}<title>{escape(label)}: {escape(status)}</title></rect>")
        else:
            parts.append(f'<circle cx="{x + 2}" cy="8" r="2" fill="{colour}" stroke="#000" stroke-width="0.4">'
                         f"<title>{escape(label)}: {escape(status)}</title></circle>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _text_width(text: str) -> int:
    # Deterministic estimate for 11 px Verdana (what shields.io badges use).
    return round(sum(7.5 if c in "mwMW" else 4.0 if c in "ijlt.:/ " else 6.6 for c in text)) + 10


def badge_svg(label: str, message: str, status: str) -> str:
    """A shields-style badge, ``label | message``; both texts are escaped."""
    lw, mw = _text_width(label), _text_width(message)
    colour = COLOURS.get(status, "#BBBBBB")
    title = escape(f"{label}: {message}")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{lw + mw}" height="20" role="img" '
            f'aria-label="{title}"><title>{title}</title>'
            f'<rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{mw}" height="20" fill="{colour}"/>'
            f'<g font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">'
            f'<text x="{lw / 2:.1f}" y="14" fill="#fff">{escape(label)}</text>'
            f'<text x="{lw + mw / 2:.1f}" y="14" fill="#000">{escape(message)}</text></g></svg>\n')
