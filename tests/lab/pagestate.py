"""Read a rendered grid back from the page: panels, cells, titles, ticks, colorbar.

Everything is read from the DOM as the user's browser has it (computed styles, on-screen
positions), so the tests check what is shown, not what Python meant to send.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import matplotlib
import numpy as np

JS_READ_GRID = r"""(selector) => {
    const root = document.querySelector(selector);
    if (!root) return null;
    const rect = (el) => { const b = el.getBoundingClientRect();
                           return {x: b.x, y: b.y, w: b.width, h: b.height}; };
    const panels = [...root.querySelectorAll('.dhg-panel')].map((fig) => {
        const cells = [...fig.querySelectorAll('rect.heatmapcell')].map((r) => {
            const s = getComputedStyle(r);
            return {...rect(r), fill: s.fill, opacity: parseFloat(s.opacity)};
        });
        const plot = cells.length ? {
            left: Math.min(...cells.map(c => c.x)), top: Math.min(...cells.map(c => c.y)),
            right: Math.max(...cells.map(c => c.x + c.w)), bottom: Math.max(...cells.map(c => c.y + c.h)),
        } : null;
        const ticks = [...fig.querySelectorAll('.tick text')]
            .filter((t) => t.textContent !== '')
            .map((t) => ({text: t.textContent, ...rect(t)}));
        const title = fig.querySelector('.mainheading');
        const fs = getComputedStyle(fig);
        return {
            box: rect(fig), cells, plot, ticks,
            title: title ? title.textContent : null,
            titleFill: title ? getComputedStyle(title).fill : null,
            titleWeight: title ? getComputedStyle(title).fontWeight : null,
            outlineColor: fs.outlineColor, outlineWidth: fs.outlineWidth,
            classes: fig.getAttribute('class'),
        };
    });
    const bar = root.querySelector('.dhg-colorbar');
    let colorbar = null;
    if (bar) {
        const barRect = bar.querySelector('.g-rect rect');
        colorbar = {
            box: rect(bar),
            bar: barRect ? rect(barRect) : null,
            ticks: [...bar.querySelectorAll('.tick text')].map((t) => ({text: t.textContent, ...rect(t)})),
            stops: [...bar.querySelectorAll('stop')].map((s) => s.getAttribute('stop-color')),
        };
    }
    return {box: rect(root), panels, colorbar, count: root.querySelectorAll('rect.heatmapcell').length};
}"""


def parse_rgb(css: str) -> tuple[int, int, int]:
    """'rgb(1, 2, 3)' / 'rgba(1, 2, 3, 0.5)' / '#010203' -> (1, 2, 3)."""
    css = css.strip()
    if css.startswith("#"):
        return tuple(int(css[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]
    numbers = re.findall(r"[\d.]+", css)
    if len(numbers) < 3:
        raise ValueError(f"not an rgb colour: {css!r}")
    return tuple(int(round(float(n))) for n in numbers[:3])  # type: ignore[return-value]


@dataclass
class PanelView:
    title: str
    left: float
    top: float
    fills: np.ndarray  # (H, W, 3) in screen order: row 0 = top
    opacity: np.ndarray  # (H, W)
    y_ticks: list[str]  # top to bottom
    x_ticks: list[str]  # left to right
    raw: dict


def panel_view(panel: dict) -> PanelView:
    """Arrange a panel's cells by their on-screen position (rows top to bottom)."""
    cells = panel["cells"]
    ys = sorted({round(c["y"], 1) for c in cells})
    xs = sorted({round(c["x"], 1) for c in cells})
    fills = np.zeros((len(ys), len(xs), 3), dtype=float)
    opacity = np.zeros((len(ys), len(xs)))
    for cell in cells:
        i, j = ys.index(round(cell["y"], 1)), xs.index(round(cell["x"], 1))
        fills[i, j] = parse_rgb(cell["fill"])
        opacity[i, j] = cell["opacity"]
    plot = panel["plot"]
    y_ticks = sorted((t for t in panel["ticks"] if t["x"] + t["w"] <= plot["left"] + 1),
                     key=lambda t: t["y"])
    x_ticks = sorted((t for t in panel["ticks"] if t["y"] >= plot["bottom"] - 1),
                     key=lambda t: t["x"])
    return PanelView(
        title=panel["title"], left=panel["box"]["x"], top=panel["box"]["y"], fills=fills,
        opacity=opacity, y_ticks=[t["text"] for t in y_ticks],
        x_ticks=[t["text"] for t in x_ticks], raw=panel,
    )


def reading_order(panels: list[PanelView]) -> list[PanelView]:
    """Panels sorted as a reader sees them: by row (top), then left to right."""
    return sorted(panels, key=lambda p: (round(p.top), p.left))


def expected_rgb(values, lo: float = 0.0, hi: float = 1.0, cmap: str = "hot") -> np.ndarray:
    """Matplotlib's colour of each value between ``lo`` and ``hi`` (clipped), as 0-255 RGB
    (shape ``values.shape + (3,)``): what the page must show, from outside the package."""
    fraction = np.clip((np.asarray(values, dtype=float) - lo) / (hi - lo), 0.0, 1.0)
    return np.asarray(matplotlib.colormaps[cmap](fraction))[..., :3] * 255
