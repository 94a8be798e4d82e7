"""Small inline SVG charts, so an HTML report needs no script and no network to show its plots."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 520, 300, 56, 150, 30, 44


def line_chart(title: str, series: Mapping[str, Sequence[tuple[float, float]]], log_x: bool = True,
               x_label: str = "k", y_label: str = "pass@k (%)") -> str:
    """Lines of (x, y in 0..1) per series name; x on a log scale by default; y shown in %."""
    points = [p for values in series.values() for p in values]
    if not points:
        return ""
    fx = (lambda x: math.log10(x)) if log_x else (lambda x: float(x))
    xs = [fx(x) for x, _ in points]
    x0, x1 = min(xs), max(xs)
    x1 = x1 if x1 > x0 else x0 + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + (fx(x) - x0) / (x1 - x0) * plot_w

    def py(y: float) -> float:
        return TOP + (1 - y) * plot_h

    parts = [_frame(title)]
    for tick in range(0, 101, 20):
        y = py(tick / 100)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tick}</text>')
    for x in sorted({x for x, _ in points}):
        parts.append(f'<text x="{px(x):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" font-size="11">{x:g}</text>')
    for i, (name, values) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        coords = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in values)
        parts.append(f'<polyline class="series" fill="none" stroke="{color}" stroke-width="2" points="{coords}"/>')
        parts += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.5" fill="{color}"><title>{escape(name)} '
                  f'k={x:g}: {100 * y:.2f}%</title></circle>' for x, y in values]
        ly = TOP + 14 + 18 * i
        parts.append(f'<line x1="{WIDTH - RIGHT + 12}" y1="{ly - 4}" x2="{WIDTH - RIGHT + 30}" y2="{ly - 4}" '
                     f'stroke="{color}" stroke-width="2"/><text x="{WIDTH - RIGHT + 34}" y="{ly}" '
                     f'font-size="11">{escape(name)}</text>')
    parts.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 8}" text-anchor="middle" font-size="12">'
                 f'{escape(x_label)}{" (log scale)" if log_x else ""}</text>'
                 f'<text transform="translate(14 {TOP + plot_h / 2}) rotate(-90)" text-anchor="middle" '
                 f'font-size="12">{escape(y_label)}</text>')
    return _svg(parts)


def bar_chart(title: str, bars: list[tuple[str, float]], percent: bool = False, label_every: int = 1) -> str:
    """Vertical bars (label, value); values in 0..1 shown in % when ``percent``."""
    if not bars:
        return ""
    top = 1.0 if percent else max(v for _, v in bars) or 1.0
    plot_w, plot_h = WIDTH - LEFT - 20, HEIGHT - TOP - BOTTOM
    step = plot_w / len(bars)
    parts = [_frame(title)]
    for tick in range(0, 6):
        value = top * tick / 5
        y = TOP + plot_h - plot_h * tick / 5
        text = f"{100 * value:.0f}" if percent else f"{value:,.0f}"
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{text}</text>')
    for i, (label, value) in enumerate(bars):
        h = plot_h * (value / top if top else 0)
        x = LEFT + i * step
        shown = f"{100 * value:.1f}%" if percent else f"{value:,.0f}"
        parts.append(f'<rect class="bar" x="{x + step * 0.1:.1f}" y="{TOP + plot_h - h:.1f}" width="{step * 0.8:.1f}" '
                     f'height="{h:.1f}" fill="{PALETTE[0]}"><title>{escape(label)}: {shown}</title></rect>')
        if i % label_every == 0:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle" '
                         f'font-size="10">{escape(label)}</text>')
    return _svg(parts)


def _frame(title: str) -> str:
    return (f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>'
            f'<text x="{WIDTH / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">{escape(title)}</text>')


def _svg(parts: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'font-family="sans-serif">' + "".join(parts) + "</svg>")
