"""How a grid is drawn live in the notebook: the page-side controller, the bqplot panels,
the canvas, the tensor codec, and the view that builds and feeds them."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).parent


def module_text(name: str) -> str:
    """The page-side ES module ``name`` (``controller``, ``canvas``): minified as the
    package build leaves it in static/, or its source where that is missing or older than
    the source (a checkout not built since an edit)."""
    source = _HERE / f"{name}.js"
    built = _HERE.parent / "static" / f"{name}.min.js"
    fresh = built.exists() and built.stat().st_mtime >= source.stat().st_mtime
    return (built if fresh else source).read_text(encoding="utf-8")
