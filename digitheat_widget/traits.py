"""The grid's trait types: each refuses bad input with a message that names the trait,
what was expected and what came, and leaves the widget as it was."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import traitlets
from traitlets import Float, TraitError, TraitType, validate

from .data import MAPS, MAX_MAGNITUDE, MAX_PANELS, MapSummary, as_tensor, checked_values
from .figure.colors import ColorError, parse_color
from .figure.ticks import min_span
from .figure.colormaps import validate_colormap


#: Longest panel label: far more than a title above a panel can show, far less than what
#: makes the static picture's text rendering fail (a million characters did).
MAX_LABEL_LENGTH = 10_000


def owner(obj: object, trait: str) -> str:
    return f"{type(obj).__name__}.{trait}"


def count_mismatch(obj: object, trait: str, labels_trait: str, unit: str, items: int,
                   labels: int) -> TraitError:
    """The refusal when ``labels_trait`` and the ``unit``s it titles differ in number:
    ``items`` of them, ``labels`` labels. It names ``trait``, the one whose value came:
    the labels (expected one per item) or the items (expected as many as labels)."""
    if trait == labels_trait:
        return TraitError(f"{owner(obj, trait)} expected {items} labels (one per {unit}), "
                          f"got {labels}")
    return TraitError(
        f"{owner(obj, trait)} expected {labels} {unit}{'' if labels == 1 else 's'} (one per "
        f"entry of {labels_trait}), got "
        f"{items}; to change both, set {trait} and {labels_trait} together inside "
        f"`with grid.hold_sync():`")


def set_replaced(trait: TraitType, obj: Any, value: Any) -> None:
    """Validate and store an array that is replaced, never changed in place: a new object
    notifies (plain traitlets compares with ==, which arrays answer element-wise)."""
    new = trait._validate(obj, value)
    old = obj._trait_values.get(trait.name, traitlets.Undefined)
    obj._trait_values[trait.name] = new
    if new is not old:
        obj._notify_trait(trait.name, old, new)


class QuickRead:
    """A trait read in one call where traitlets makes two (``__get__``, then ``get``):
    the grid reads its data, reference, limits and choices many times per update. A value
    not set yet (a default still to be made) goes traitlets' own road."""

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        if obj is None:
            return self
        try:
            return obj._trait_values[self.name]
        except KeyError:
            return super().__get__(obj, cls)  # type: ignore[misc]


class Tensor(QuickRead, TraitType):
    """A real (N, H, W) array, stored as the widget's own read-only float64 copy."""

    info_text = "a real 3-D array-like of shape (N, H, W)"

    def validate(self, obj: Any, value: Any) -> np.ndarray:
        try:
            return as_tensor(value)
        except ValueError as err:
            raise TraitError(f"{owner(obj, self.name)} {err}") from None

    def set_maps(self, obj: Any, new: np.ndarray, changed: np.ndarray,
                 same_extremes: bool = False) -> None:
        """Store ``new``, which the owner made from the value held by replacing maps
        ``changed`` with maps checked as :meth:`validate` checks them: nothing to convert,
        check or compare again (a panel update costs the panel). Observers are told as
        for an assignment (``same_extremes``: the owner knows that the stack's extremes
        did not change); a refused batch rolls it back as one."""
        old = obj._trait_values[self.name]
        obj._trait_values[self.name] = new
        kept = obj.__dict__  # the owner's bookkeeping: a plain attribute, nothing to notify
        kept["_changed_maps"] = (old, new, changed, same_extremes)
        try:
            obj._notify_trait(self.name, old, new)
        finally:
            kept["_changed_maps"] = None

    def set(self, obj: Any, value: Any) -> None:
        # Plain traitlets compares arrays with ==, which cannot be a bool, so every
        # assignment would notify; an equal tensor should cost nothing.
        new = self._validate(obj, value)
        # Undefined (not None) before the first assignment: when a refused batch is rolled
        # back, traitlets then removes the value instead of re-validating None, which
        # would hide the real error behind a confusing one about data.
        old = obj._trait_values.get(self.name, traitlets.Undefined)
        obj._trait_values[self.name] = new
        if not isinstance(old, np.ndarray) or old.shape != new.shape:
            obj._notify_trait(self.name, old, new)
            return
        changed = changed_maps(old, new)
        if changed.size:
            # Kept for the observers, which need the same answer: one compare per update;
            # never kept after them (it holds the old tensor).
            obj._changed_maps = (old, new, changed)
            try:
                obj._notify_trait(self.name, old, new)
            finally:
                obj._changed_maps = None


class Limit(QuickRead, Float):
    """A colour limit: a finite real number, or None for automatic."""

    info_text = "a finite number or None"

    def validate(self, obj: Any, value: Any) -> float | None:
        # Plain Float would take True as 1.0 and let NaN through.
        if value is None:
            return None
        refused = TraitError(
            f"{owner(obj, self.name)} expected a finite number or None, got {value!r}"
        )
        if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)
        ):
            raise refused
        try:
            number = float(value)
        except OverflowError:  # an int beyond float's range
            raise refused from None
        if not np.isfinite(number):
            raise refused
        if abs(number) > MAX_MAGNITUDE:
            raise TraitError(
                f"{owner(obj, self.name)} expected a number of magnitude at most "
                f"{MAX_MAGNITUDE:g} (so colour ranges stay finite), got {value!r}"
            )
        return number


class Integer(QuickRead, traitlets.Int):
    """traitlets' Int that takes an integer-valued number (np.int64(3), 3.0) as that int in
    every traitlets version pyproject.toml allows: traitlets 5.14 began to, before it Int
    refused a numpy integer ("expected an int, not the int64")."""

    def validate(self, obj: Any, value: Any) -> Any:
        if not isinstance(value, int) and isinstance(value, numbers.Number):
            try:
                as_int = int(value)  # type: ignore[call-overload]
            except (TypeError, ValueError, OverflowError):  # complex, NaN, inf
                as_int = None
            if as_int is not None and as_int == value:
                value = as_int
        return super().validate(obj, value)


class Choice(QuickRead, traitlets.Enum):
    """One of a few strings, refused in the same words as every other trait."""

    def validate(self, obj: Any, value: Any) -> Any:
        if value in self.values:
            return value
        choices = ", ".join(repr(v) for v in self.values)
        raise TraitError(f"{owner(obj, self.name)} expected one of {choices}, got {value!r}")


class Colormap(TraitType):
    """A known colormap name or a list of at least two CSS colours."""

    info_text = "a colormap name or a list of CSS colours"

    def validate(self, obj: Any, value: Any) -> str | tuple[str, ...]:
        try:
            return validate_colormap(value)
        except ValueError as err:
            raise TraitError(f"{owner(obj, self.name)} {err}") from None


class IndexList(TraitType):
    """Distinct panel indices, given as any iterable of integers."""

    info_text = "a list of distinct panel indices"
    default_value: list[int] = []

    def validate(self, obj: Any, value: Any) -> list[int]:
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise TraitError(
                f"{owner(obj, self.name)} expected a list of panel indices, "
                f"got {type(value).__name__} {value!r}"
            )
        indices = []
        for item in value:
            if isinstance(item, (bool, np.bool_)) or not isinstance(item, (int, np.integer)):
                raise TraitError(
                    f"{owner(obj, self.name)} expected integer panel indices, "
                    f"got {type(item).__name__} {item!r}"
                )
            indices.append(int(item))
        if len(set(indices)) != len(indices):
            repeated = sorted({i for i in indices if indices.count(i) > 1})
            raise TraitError(
                f"{owner(obj, self.name)} expected distinct panel indices, got {repeated} repeated"
            )
        return indices


class Labels(TraitType):
    """Panel titles: a list of strings."""

    info_text = "a list of strings"

    def validate(self, obj: Any, value: Any) -> list[str]:
        if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
            raise TraitError(
                f"{owner(obj, self.name)} expected a list of strings, got {type(value).__name__}"
            )
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise TraitError(
                    f"{owner(obj, self.name)} expected a list of strings, got "
                    f"{type(item).__name__} {item!r} at position {index}"
                )
            if len(item) > MAX_LABEL_LENGTH:
                raise TraitError(
                    f"{owner(obj, self.name)} expected labels of at most {MAX_LABEL_LENGTH} "
                    f"characters, got {len(item):,} at position {index}"
                )
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as err:  # a lone surrogate cannot reach the page
                raise TraitError(
                    f"{owner(obj, self.name)} expected text that UTF-8 can hold, got "
                    f"{item!r} at position {index} ({err.reason} at character {err.start})"
                ) from None
        return list(value)


def integer_tuple(obj: Any, trait: TraitType, value: Any, fields: str) -> tuple[int, ...]:
    """``value`` as a tuple of ints, one per name in ``fields`` (say ``"(row, column)"``);
    a TraitError naming the trait for anything else (bools are not integers here)."""
    parts = tuple(value) if isinstance(value, (tuple, list)) else None
    if parts is None or len(parts) != fields.count(",") + 1 or not all(
        isinstance(p, (int, np.integer)) and not isinstance(p, (bool, np.bool_)) for p in parts
    ):
        raise TraitError(
            f"{owner(obj, trait.name)} expected None or a {fields} tuple of integers, got {value!r}"
        )
    return tuple(int(p) for p in parts)


class Cell(TraitType):
    """A cell address (digit, row, column) or None."""

    info_text = "a (digit, row, column) tuple or None"
    allow_none = True
    default_value = None

    def validate(self, obj: Any, value: Any) -> tuple[int, int, int] | None:
        if value is None:
            return None
        digit, row, col = integer_tuple(obj, self, value, "(digit, row, column)")
        count, rows, cols = obj.data.shape
        count = getattr(obj, "panel_count", count)  # paged: the panel's index in the whole stack
        if not (0 <= digit < count and 0 <= row < rows and 0 <= col < cols):
            raise TraitError(
                f"{owner(obj, self.name)} expected a cell inside ({count}, {rows}, {cols}), "
                f"got {(digit, row, col)}"
            )
        return digit, row, col


class RowCol(TraitType):
    """A cell position in every map, (row, column), or None: the linked cursor."""

    info_text = "a (row, column) tuple or None"
    allow_none = True
    default_value = None

    def validate(self, obj: Any, value: Any) -> tuple[int, int] | None:
        if value is None:
            return None
        row, col = integer_tuple(obj, self, value, "(row, column)")
        rows, cols = obj.data.shape[1:]
        if not (0 <= row < rows and 0 <= col < cols):
            raise TraitError(
                f"{owner(obj, self.name)} expected a (row, column) inside the maps' "
                f"({rows}, {cols}), got {(row, col)}"
            )
        return row, col


def changed_maps(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Indices of the maps (first axis) that differ between two (N, H, W) tensors with the
    same H and W, among the first min(N) maps; NaN equals NaN."""
    count = min(old.shape[0], new.shape[0])
    old, new = old[:count], new[:count]
    differs = old != new
    if differs.any():  # NaN != NaN: a cell that is NaN on both sides has not changed
        differs &= ~(np.isnan(old) & np.isnan(new))
    return np.flatnonzero(differs.reshape(count, -1).any(axis=1))


def map_changed(old: np.ndarray, new: np.ndarray,
                ends: tuple[float, float, float, float] | None = None) -> bool:
    """Whether one map differs from another of its shape: :func:`changed_maps`'s answer,
    found at once when the first cell that differs is not NaN on both sides, or, given
    ``ends`` (each map's finite minimum and maximum, NaN for none: old low, old high,
    new low, new high), when those differ, without reading the maps."""
    if ends is not None:
        old_low, old_high, new_low, new_high = ends
        if (old_low != new_low and (old_low == old_low or new_low == new_low)) or (
                old_high != new_high and (old_high == old_high or new_high == new_high)):
            return True  # (NaN on both sides: neither has a finite value, no answer)
    differs = old != new
    first = int(differs.argmax())
    if not differs.item(first):
        return False
    before, after = old.item(first), new.item(first)
    if before == before or after == after:  # not NaN on both sides: a real change
        return True
    return bool(changed_maps(old[np.newaxis], new[np.newaxis]).size)


def is_2d(values: Any) -> bool:
    if isinstance(values, (str, bytes)):
        return False
    try:
        return getattr(values, "ndim", None) == 2 or np.ndim(values) == 2
    except ValueError:  # ragged nested lists: as_tensor reports them
        return False


def checked_map(grid: Any, digit: Any, values: Any) -> tuple[np.ndarray, MapSummary | None]:
    """``values`` as map ``digit`` of ``grid``'s data: a stack of that one map (1, H, W),
    converted and checked as :func:`~digitheat_widget.data.as_tensor` does (by
    :func:`~digitheat_widget.data.checked_values`, for the grid to write into its own
    stack), and its summary; or a TraitError naming ``update_panel``, what was expected
    and what came."""
    count, rows, cols = grid.data.shape

    def refused(what: str) -> TraitError:  # the trait's name made only to refuse
        return TraitError(f"{owner(grid, 'update_panel')} {what}")

    if type(digit) is not int and (isinstance(digit, (bool, np.bool_))
                                   or not isinstance(digit, (int, np.integer))):
        raise refused(f"expected an integer digit, got {digit!r}")
    if not -count <= digit < count:
        raise refused(f"expected digit in 0..{count - 1}, got {digit}")
    try:
        if type(values) is np.ndarray and values.ndim == 2:
            stacked = values[np.newaxis]  # a view: checked_values makes the one copy
        else:  # np.ma keeps a masked map's mask (its masked cells become NaN)
            stacked = np.ma.expand_dims(values, 0) if is_2d(values) else values
        panel, summary = checked_values(stacked, MAPS)
    except ValueError as err:
        raise refused(str(err).replace("expected a 3-D array (N, H, W)",
                                       f"expected a 2-D map of shape ({rows}, {cols})")) from None
    if panel.shape != (1, rows, cols):
        raise refused(f"expected values of shape ({rows}, {cols}), "
                      f"got {panel.shape[1:] if panel.shape[0] == 1 else panel.shape}")
    return panel, summary


def default_labels(count: int) -> list[str]:
    return [str(i) for i in range(count)]


class GridChecks:
    """The grid's rules between traits (a map shape the renderer can draw, labels for
    every panel, vmin < vmax, indices inside the data...), as traitlets validators: the
    grid class keeps the traits and the wiring, these say what a value may be given the
    others. Every refusal names the trait, what was expected and what came."""

    data: np.ndarray
    labels: list[str]
    panel_count: int
    vmin: float | None
    vmax: float | None
    renderer: str

    @validate("data")
    def _check_data(self, proposal: traitlets.Bunch) -> np.ndarray:
        tensor = proposal["value"]
        count = tensor.shape[0]
        if self.renderer == "svg" and min(tensor.shape[1:]) == 1:
            raise TraitError(
                f"{owner(self, 'data')} maps of {tensor.shape[1:]} cannot be drawn with "
                f"renderer='svg' (bqplot squeezes a single row or column away); use 'auto'"
            )
        labels = self.labels
        if labels and len(labels) != count and labels != default_labels(len(labels)):
            raise count_mismatch(self, "data", "labels", "panel", count, len(labels))
        return tensor

    @validate("renderer")
    def _check_renderer(self, proposal: traitlets.Bunch) -> str:
        value = proposal["value"]
        if value == "svg" and min(self.data.shape[1:]) == 1:
            raise TraitError(
                f"{owner(self, 'renderer')} 'svg' needs maps of at least 2x2 (bqplot squeezes "
                f"a single row or column away), got maps of {self.data.shape[1:]}; use 'auto' "
                f"or 'canvas'"
            )
        return value

    @validate("labels")
    def _check_labels(self, proposal: traitlets.Bunch) -> list[str]:
        value, count = proposal["value"], self.data.shape[0]
        if len(value) != count:
            raise count_mismatch(self, "labels", "labels", "panel", count, len(value))
        return value

    def _check_limit(self, name: str, value: Any) -> float | None:
        if value is None:
            return None
        other = self.vmax if name == "vmin" else self.vmin
        lo, hi = (value, other) if name == "vmin" else (other, value)
        if lo is not None and hi is not None and lo < hi and hi - lo < min_span(lo, hi):
            raise TraitError(
                f"{owner(self, name)} expected vmax - vmin of at least {min_span(lo, hi):g} "
                f"(narrower, the colorbar's ticks could not be told apart), got "
                f"vmin={lo!r} and vmax={hi!r}"
            )
        if lo is not None and hi is not None and not lo < hi:
            raise TraitError(
                f"{owner(self, name)} expected vmin < vmax, got vmin={lo!r} and vmax={hi!r}; "
                f"to move both, set them together inside `with grid.hold_sync():`"
            )
        return float(value)

    @validate("vmin")
    def _check_vmin(self, proposal: traitlets.Bunch) -> float | None:
        return self._check_limit("vmin", proposal["value"])

    @validate("vmax")
    def _check_vmax(self, proposal: traitlets.Bunch) -> float | None:
        return self._check_limit("vmax", proposal["value"])

    @validate("highlighted")
    def _check_highlighted(self, proposal: traitlets.Bunch) -> list[int]:
        count = self.panel_count  # paged: indices in the whole stack
        outside = [i for i in proposal["value"] if not 0 <= i < count]
        if outside:
            raise TraitError(
                f"{owner(self, 'highlighted')} expected indices in 0..{count - 1}, got {outside}"
            )
        return proposal["value"]

    @validate("columns")
    def _check_columns(self, proposal: traitlets.Bunch) -> int:
        value = proposal["value"]
        if isinstance(value, bool) or value < 1:
            raise TraitError(f"{owner(self, 'columns')} expected an integer >= 1, got {value!r}")
        if value > MAX_PANELS:  # a grid as wide as a million panels would never display
            raise TraitError(
                f"{owner(self, 'columns')} expected at most {MAX_PANELS} (the most panels a grid "
                f"holds), got {value!r}")
        return value

    @validate("cell_size")
    def _check_cell_size(self, proposal: traitlets.Bunch) -> int | None:
        value = proposal["value"]
        if value is not None and (isinstance(value, bool) or not 1 <= value <= 64):
            raise TraitError(
                f"{owner(self, 'cell_size')} expected pixels per cell in 1..64 or None, got {value!r}"
            )
        return value

    @validate("nan_color")
    def _check_nan_color(self, proposal: traitlets.Bunch) -> str:
        try:
            parse_color(proposal["value"])
        except ColorError as err:
            raise TraitError(f"{owner(self, 'nan_color')} {err}") from None
        return proposal["value"]
