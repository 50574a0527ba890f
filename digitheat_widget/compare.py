"""Compare a grid's maps with a reference: show the data, the reference, or their
difference (``data - reference``, on a diverging colormap centred on 0).

``grid.compare(reference)`` takes an (N, H, W) array-like or another grid and shows the
difference; ``grid.showing`` flips between the three views (also in the page: the
control panel's "show" menu, or V on the focused grid, with no kernel);
``grid.compare(None)`` goes back. The page holds the data and the reference and works
out what to show itself, so flipping sends no maps. In the data and reference views the
automatic colour limits span both, so the same colour means the same value in each.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets
from traitlets import HasTraits, TraitError, observe, validate

from .data import (REFERENCE, MapSummary, MapWriter, as_stack, auto_limits, panel_range_limits,
                   summary_of)
from .traits import Choice, Colormap, Tensor, owner, set_replaced

SHOWING = ("data", "reference", "difference")
DEFAULT_DIFFERENCE_COLORMAP = "RdBu_r"


class OptionalTensor(Tensor):
    """None, or a real (N, H, W) array stored as the widget's own read-only copy."""

    info_text = "None or a real 3-D array-like of shape (N, H, W)"

    def validate(self, obj: Any, value: Any) -> np.ndarray | None:
        if value is None:
            return None
        try:  # the one conversion, with the bounds of a reference
            return as_stack(value, REFERENCE)
        except ValueError as err:
            raise TraitError(f"{owner(obj, self.name)} {err}") from None

    def set(self, obj: Any, value: Any) -> None:
        set_replaced(self, obj, value)


def _finite_range(values: np.ndarray) -> tuple[float, float] | None:
    finite = values[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if finite.size else None


class Compare(HasTraits):
    """The reference, the view shown and the difference's colormap: a grid mixin."""

    data: np.ndarray
    vmin: float | None
    vmax: float | None

    reference = OptionalTensor(
        None, allow_none=True,
        help="Maps to compare data with, shaped like data (a read-only float64 copy), or "
        "None. Set by compare().",
    )
    showing = Choice(
        list(SHOWING), "data",
        help="What the grid shows: 'data', 'reference' or 'difference' (data - reference). "
        "A change sets vmin and vmax to None: the limits follow what is shown.",
    )
    difference_colormap = Colormap(
        DEFAULT_DIFFERENCE_COLORMAP,
        help="Colormap of the difference view, centred on 0 (a diverging one).",
    )

    def compare(self, reference: Any) -> None:
        """Show ``data - reference`` (a diverging colormap centred on 0), or with
        ``None`` go back to the data alone.

        Parameters
        ----------
        reference
            An (N, H, W) array-like shaped like :attr:`data`, another grid (its data), or
            None. The grid keeps its own copy.
        """
        if isinstance(reference, Compare):
            reference = reference.data  # another grid (an array's .data is its buffer)
        with self.hold_sync():
            if reference is None:
                self.showing = "data"
                self.reference = None
            else:
                self.reference = reference
                self.showing = "difference"

    def _drop_reference(self) -> None:
        """A reference is made of the panels shown: when other panels are shown (maps of
        another shape, another page), it goes, and the data is shown."""
        if self.reference is not None:
            self.showing = "data"
            self.reference = None

    # ------------------------------------------------------------------ what is shown

    def _shown(self, view: str | None = None, data: np.ndarray | None = None) -> np.ndarray:
        """The maps the grid draws in ``view`` (default: the one shown) when its data is
        ``data`` (default: ``self.data``; a frame, for an animation)."""
        view = view or self.showing
        data = self.data if data is None else data
        if self.reference is None or view == "data":
            return data
        if view == "reference":
            return self.reference
        if data is not self.data:  # a frame's difference: not the one kept below
            return data - self.reference
        key = (self.data, self.reference)
        cached = getattr(self, "_difference", None)
        if cached is None or cached[0][0] is not key[0] or cached[0][1] is not key[1]:
            difference = self.data - self.reference
            difference.flags.writeable = False
            self._difference = (key, difference)
        return self._difference[1]

    def _maps_summary(self, which: str = "data") -> MapSummary:
        """The per-map extremes (:class:`~digitheat_widget.data.MapSummary`) of the data,
        the reference or their difference, found again only when that stack is replaced
        whole: a panel update derives them (:meth:`_maps_replaced`)."""
        stack = (self.data if which == "data" else self.reference if which == "reference"
                 else self._shown("difference"))
        summaries = self.__dict__.setdefault("_summaries", {})
        cached = summaries.get(which)
        if cached is None or cached[0] is not stack:
            cached = summaries[which] = (stack, summary_of(stack))
        return cached[1]

    def _kept_summary(self, stack: np.ndarray) -> MapSummary | None:
        """The data's summary if it is kept for ``stack`` (nothing is found to answer)."""
        cached = self.__dict__.get("_summaries", {}).get("data")
        return cached[1] if cached is not None and cached[0] is stack else None

    def _maps_replaced(self, old: np.ndarray, new: np.ndarray, indices: list[int],
                       maps: MapSummary | None = None) -> bool:
        """Data goes from ``old`` to ``new``, which differ in maps ``indices`` alone (whose
        summary is ``maps``, if known): the data's summary, the difference and its summary
        follow at the cost of those maps (what is not kept for ``old`` is found again for
        ``new`` when asked). Returns
        whether the extremes of both (:meth:`MapSummary.extremes`) are known to be the
        same as before: then nothing drawn from them changes (automatic limits, each
        view's, the precision on the wire)."""
        summaries = self.__dict__.setdefault("_summaries", {})
        cached = summaries.get("data")
        if cached is None or cached[0] is not old:
            return False
        summary = cached[1].replaced(new, indices, maps)
        summaries["data"] = (new, summary)
        same = summary.extremes() == cached[1].extremes()
        reference = self.reference
        if reference is None:
            return same
        kept = getattr(self, "_difference", None)
        if kept is None or kept[0][0] is not old or kept[0][1] is not reference:
            return False
        if "_difference_writer" not in self.__dict__:
            self._difference_writer = MapWriter()
        difference = self._difference_writer.replaced(
            kept[1], indices, new[indices] - reference[indices])
        self._difference = ((new, reference), difference)
        cached = summaries.get("difference")
        if cached is None or cached[0] is not kept[1]:
            return False
        summary = cached[1].replaced(difference, indices)
        summaries["difference"] = (difference, summary)
        return same and summary.extremes() == cached[1].extremes()

    def _compare_auto(self, base: tuple[float, float], view: str | None = None,
                      data: np.ndarray | None = None) -> tuple[float, float]:
        """Automatic limits of ``view`` (default: the one shown) with a reference: ``base``
        (the data's, frames included) widened to the reference's range, or for the
        difference (of ``data``, default ``self.data``) symmetric about 0."""
        if self.reference is None:
            return base
        if (view or self.showing) == "difference":
            if data is None or data is self.data:
                span = self._maps_summary("difference").finite_range()
                top = max(abs(span[0]), abs(span[1])) if span else 0.0
            else:
                spread = _finite_range(np.abs(self._shown("difference", data)))
                top = spread[1] if spread else 0.0
            return auto_limits(np.array([-top, top]), None, None)
        other = self._maps_summary("reference").finite_range()
        if other is None:
            return base
        return auto_limits(np.array([*base, *other]), None, None)

    def _panel_auto(self, low: np.ndarray, high: np.ndarray, view: str | None = None,
                    data: np.ndarray | None = None) -> np.ndarray:
        """Per-panel automatic limits of ``view`` (default: the one shown), the rule of
        :meth:`_compare_auto` applied to each panel alone: ``low``/``high`` are each
        panel's finite extremes in the data (frames included), as (N, 2); with a reference, each
        panel's range widened to its reference map's, or for the difference (of ``data``,
        default ``self.data``) symmetric about 0 at that panel's largest magnitude."""
        if self.reference is None:
            return panel_range_limits(low, high)
        if (view or self.showing) == "difference":
            summary = (self._maps_summary("difference") if data is None or data is self.data
                       else MapSummary.of(self._shown("difference", data)))
            top = np.nan_to_num(np.fmax(np.abs(summary.low), np.abs(summary.high)))
            return panel_range_limits(-top, top)
        other = self._maps_summary("reference")
        return panel_range_limits(np.fmin(low, other.low), np.fmax(high, other.high))

    def _compare_auto_by_view(self, base: tuple[float, float]) -> dict[str, list[float]]:
        """The automatic limits of each view (the page flips views by itself)."""
        return {view: list(self._compare_auto(base, view)) for view in SHOWING}

    # ------------------------------------------------------------------ rules

    @validate("reference")
    def _check_reference(self, proposal: traitlets.Bunch) -> np.ndarray | None:
        value = proposal["value"]
        if value is not None and value.shape != self.data.shape:
            raise TraitError(f"{owner(self, 'reference')} expected maps shaped like data "
                             f"{self.data.shape}, got shape {value.shape}")
        return value

    @validate("showing")
    def _check_showing(self, proposal: traitlets.Bunch) -> str:
        value = proposal["value"]
        if value != "data" and self.reference is None:
            raise TraitError(f"{owner(self, 'showing')} {value!r} needs a reference: call "
                             f"compare(reference) first")
        return value

    @observe("showing")
    def _on_showing(self, change: traitlets.Bunch) -> None:
        with self.hold_trait_notifications():
            self.vmin = self.vmax = None
