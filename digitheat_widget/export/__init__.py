"""Everything that leaves the notebook: SVG and PNG pictures, the offline HTML page and
the nbconvert exporter. All of them draw a grid's :class:`~digitheat_widget.figure.Figure`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..grid import DigitHeatmapGrid

__all__ = ["save"]


def save(grid: DigitHeatmapGrid, path: str | os.PathLike[str], scale: int = 2) -> None:
    """Write ``grid`` to ``path``; its suffix chooses the format (see ``grid.save``)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".svg":
        target.write_text(grid.to_svg(), encoding="utf-8")
    elif suffix == ".png":
        target.write_bytes(grid.to_png(scale))
    elif suffix == ".html":
        grid.to_html(target)
    else:
        raise ValueError(
            f"{type(grid).__name__}.save expected a path ending in .svg, .png or .html, "
            f"got {str(path)!r}"
        )
