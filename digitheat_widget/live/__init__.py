"""How a grid is drawn live in the notebook: the page-side controller, the bqplot panels,
the canvas, the tensor codec, and the view that builds and feeds them."""

from __future__ import annotations

from pathlib import Path

_STATIC = Path(__file__).resolve().parent.parent / "static"
#: How to build the page-side modules in a checkout (the wheel build runs it too).
BUILD_COMMAND = "npm --prefix js ci && npm --prefix js run build"
#: The page-side modules the build makes (js/build.mjs; pyproject.toml lists their files).
PAGE_MODULES = ("controller", "canvas", "prefetch")


def module_text(name: str) -> str:
    """The page-side ES module ``name`` (one of :data:`PAGE_MODULES`) as the package build
    bundles it from ``js/src/page/`` into ``digitheat_widget/static/``. There is no
    fallback to sources: the build is what ships, and a missing build says so."""
    built = _STATIC / f"{name}.js"
    if not built.is_file():
        raise FileNotFoundError(
            f"the page-side module {built} is not built: run `{BUILD_COMMAND}` in the "
            f"repository (or `pip install -e .`, which runs it)")
    return built.read_text(encoding="utf-8")
