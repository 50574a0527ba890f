"""Everything that leaves the notebook: SVG and PNG pictures, the offline HTML page and
the nbconvert exporter. All of them draw a grid's :class:`~digitheat_widget.figure.Figure`.

:class:`Exports` gives the grid its export methods (``to_svg``, ``to_png``, ``save``,
``to_html`` and the PNG beside the live view in a notebook's output).
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from ..figure import Figure
from .files import write_atomically

__all__ = ["Exports", "write_atomically"]


class Exports:
    """Export methods of a widget that has a ``figure`` (see the module docstring)."""

    figure: Figure

    def to_svg(self) -> str:
        """The grid as a standalone SVG document: the figure the page draws, drawn in
        Python (no browser), for slides and papers."""
        from .svg import figure_svg

        return figure_svg(self.figure)

    def to_png(self, scale: int = 2) -> bytes:
        """The grid as PNG bytes, ``scale`` device pixels per page pixel."""
        from .png import figure_png

        return figure_png(self.figure, scale)

    def save(self, path: str | os.PathLike[str], scale: int | None = None, *,
             theme: str = "auto", fps: float = 5.0) -> None:
        """Write the grid to ``path``; its suffix chooses the format.

        ``.svg`` and ``.png`` are static pictures on white (``scale``, default 2, applies
        to PNG); ``.html`` is a self-contained page that works offline (:meth:`to_html`),
        in JupyterLab's light or dark theme: ``theme="auto"`` follows the reader's system,
        ``"light"`` or ``"dark"`` fix it. ``.gif``, ``.webp`` and ``.apng`` are animated
        pictures of the grid's frames (``fps`` frames per second, ``scale`` default 1),
        each with its label, looping: for slides.
        """
        from .animation import ANIMATED_FORMATS, animation_bytes

        target = Path(path)
        suffix = target.suffix.lower()
        if suffix not in (".html", *ANIMATED_FORMATS) and theme != "auto":
            raise ValueError(f"{type(self).__name__}.save: theme applies to .html pages only "
                             f"(pictures are drawn on white), got theme={theme!r} for {str(path)!r}")
        if suffix == ".svg":
            write_atomically(target, self.to_svg().encode("utf-8"))
        elif suffix == ".png":
            write_atomically(target, self.to_png(2 if scale is None else scale))
        elif suffix == ".html":
            self.to_html(target, theme=theme)
        elif suffix in ANIMATED_FORMATS:
            if theme != "auto":
                raise ValueError(f"{type(self).__name__}.save: theme applies to .html pages "
                                 f"only, got theme={theme!r} for {str(path)!r}")
            frames = self.frame_figures()
            if not frames:
                raise ValueError(f"{type(self).__name__}.save: {str(path)!r} is an animation "
                                 f"of the grid's frames, and it has none: call record(), or "
                                 f"assign frames")
            write_atomically(target, animation_bytes(frames, suffix, fps,
                                                     1 if scale is None else scale))
        else:
            raise ValueError(
                f"{type(self).__name__}.save expected a path ending in .svg, .png, .html, "
                f".gif, .webp or .apng, got {str(path)!r}"
            )

    def to_html(self, path: str | os.PathLike[str] | None = None, *,
                title: str = "digitheat grid", theme: str = "auto") -> str:
        """The grid as one self-contained HTML page that works offline.

        The page draws the grid with the notebook's own front-end (bqplot, or the canvas
        renderer) from the grid's current state, with no kernel and no network request,
        so it can be mailed or put on any web server. Everything a person can do on the
        live grid works there too: hover values, cell selection, title clicks, and the
        control panel (limits, colormap, auto limits, highlight toggles); nothing done in
        the page reaches Python. About 1.3 MB for the default grid.

        With the SVG renderer the page first shows a static picture of the grid (drawn in
        Python, as :meth:`to_svg`), replaced by the live widget once that has drawn; where
        scripts do not run, the picture stays.

        Parameters
        ----------
        path
            Where to write the page (UTF-8); ``None`` only returns it.
        title
            The page's ``<title>``.
        theme
            ``"auto"``: JupyterLab's light theme, or its dark theme where the reader's
            system prefers dark (CSS ``prefers-color-scheme``); ``"light"`` or ``"dark"``
            fix it. Text keeps at least 4.5:1 contrast in both.

        Returns
        -------
        str
            The page.

        Raises
        ------
        RuntimeError
            (:class:`digitheat_widget.export.html.EmbedError`) if the page runtime was not
            built: a source checkout needs ``npm --prefix js ci && npm --prefix js run build``.
        """
        from .html import grid_to_html

        self._refuse_if_closed("to_html")
        # A change merged into a later send (under an event loop, as in a kernel) is not
        # in the widgets' state yet: the page must hold what the grid shows now.
        self._send_pending()
        return grid_to_html(self, path, title=title, theme=theme,
                            hidden=self._widgets_needing_python())

    def _closed_message(self, what: str) -> str | None:
        """A closed grid has no widgets left to show or save live: what to say instead of a
        NoneType error from deep inside ipywidgets (its pictures still draw), else None."""
        if getattr(self, "comm", "open") is not None:
            return None
        where = f"{type(self).__name__}.{what}" if what else type(self).__name__
        return (f"{where}: the grid is closed (close() was called); make "
                f"a new grid, or use to_svg() / to_png(), which need no widgets")

    def _refuse_if_closed(self, what: str) -> None:
        message = self._closed_message(what)
        if message is not None:
            raise RuntimeError(message)

    # Hooks the grid fills in.
    def _send_pending(self) -> None:
        """Send now what is merged into a later send."""

    def _widgets_needing_python(self) -> list[Any]:
        """Widgets an offline page hides: they need Python (a paged grid's pager)."""
        return []

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        """The live widget view plus a static PNG of the figure, so nbconvert, GitHub and
        a notebook opened without a kernel still show the grid (as it was when displayed).
        A closed grid shows only a sentence saying so (a display must not raise)."""
        closed = self._closed_message("")
        if closed is not None:
            return {"text/plain": closed}
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        include, exclude = kwargs.get("include"), kwargs.get("exclude")
        if (include and "image/png" not in include) or (exclude and "image/png" in exclude):
            return bundle
        from .png import MAX_DISPLAY_PIXELS, figure_png

        # Page size (scale 1), so it shows as large as the live grid wherever it is used.
        # Unoptimised PNG: the display waits for it (optimize=True took 1.2 s at 100x28x28).
        png = figure_png(self.figure, scale=1, optimize=False, max_pixels=MAX_DISPLAY_PIXELS)
        bundle["image/png"] = base64.b64encode(png).decode("ascii")
        # Where a renderer shows the picture, this is its alt text (Jupyter Book 2, GitHub).
        bundle["text/plain"] = repr(self)
        return bundle

