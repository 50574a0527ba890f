"""Named colormaps that match matplotlib's, and custom lists of CSS colours.

bqscales' ``ColorScale`` spreads a list of colours evenly from ``min`` to ``max`` and
interpolates linearly in RGB (d3's ``interpolateRgb``). A map whose breakpoints are
uneven, such as matplotlib's "hot", therefore needs enough evenly spaced stops:
:data:`STOPS` stops keep every channel within 5 units of matplotlib's own lookup table.
The tables come from ``data/colormaps.npz`` (see ``scripts/make_colormaps.py``), so
matplotlib is not needed at run time.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

import numpy as np

from .colors import ColorError, parse_color, to_hex

#: Number of evenly spaced colour stops sent to the page for a named colormap.
STOPS = 64

#: Colormap used when none is given; matches matplotlib's "hot".
DEFAULT_COLORMAP = "hot"


@lru_cache(maxsize=1)
def _tables() -> dict[str, np.ndarray]:
    with resources.files("digitheat_widget").joinpath("data/colormaps.npz").open("rb") as fh:
        with np.load(fh) as archive:
            base = {name: archive[name] for name in archive.files}
    tables = dict(base)
    tables.update({f"{name}_r": table[::-1] for name, table in base.items()})
    return tables


def colormap_names() -> list[str]:
    """All named colormaps, each with its reverse (``"_r"``), sorted case-insensitively."""
    return sorted(_tables(), key=str.lower)


def _canonical_name(name: str) -> str | None:
    """The registered spelling of ``name``, matched case-insensitively, or None."""
    lookup = {key.lower(): key for key in _tables()}
    return lookup.get(name.lower())


def closest_names(name: str, count: int = 3) -> list[str]:
    """Known colormap names that look most like ``name`` (for error messages)."""
    lookup = {key.lower(): key for key in _tables()}
    return [lookup[m] for m in difflib.get_close_matches(name.lower(), list(lookup), n=count)]


def validate_colormap(value: object) -> str | tuple[str, ...]:
    """Check a colormap given as a name or as a list of CSS colours.

    Parameters
    ----------
    value
        A known colormap name (case-insensitive, see :func:`colormap_names`) or a
        sequence of at least two CSS colours, spread evenly from vmin to vmax.

    Returns
    -------
    str or tuple of str
        The registered name, or the colours as a tuple of strings.

    Raises
    ------
    ValueError
        With a message that says what was expected and what came.
    """
    if isinstance(value, str):
        canonical = _canonical_name(value)
        if canonical is None:
            hint = closest_names(value)
            suggestion = f" Did you mean {' or '.join(map(repr, hint))}?" if hint else ""
            raise ValueError(
                f"expected a known colormap name or a list of CSS colours, got unknown name "
                f"{value!r}.{suggestion} Known names: {', '.join(colormap_names())}."
            )
        return canonical
    if isinstance(value, (bytes, bytearray)):
        raise ValueError(
            f"expected a colormap name (str) or a list of CSS colours, got bytes {value!r}"
        )
    if isinstance(value, (Sequence, np.ndarray)):
        colours = list(value)
        if len(colours) < 2:
            raise ValueError(
                f"expected a list of at least 2 CSS colours, got {len(colours)} colour(s)"
            )
        for index, colour in enumerate(colours):
            try:
                parse_color(colour)
            except ColorError as err:
                raise ValueError(f"colour {index} of the list is not valid: {err}") from None
        return tuple(str(c) for c in colours)
    raise ValueError(
        f"expected a colormap name (str) or a list of CSS colours, got {type(value).__name__}"
    )


def colormap_rgb(spec: str | Sequence[str]) -> np.ndarray:
    """The colour stops of a validated colormap as a (K, 3) float array in 0..255.

    For a name these are :data:`STOPS` evenly spaced samples of matplotlib's table; for a
    list, the listed colours (alpha dropped).
    """
    if isinstance(spec, str):
        table = _tables()[spec].astype(np.float64)
        # The rows matplotlib itself looks up for these values: floor(x * N), clipped.
        positions = np.minimum((np.linspace(0.0, 1.0, STOPS) * len(table)).astype(int),
                               len(table) - 1)
        return table[positions]
    return np.array([parse_color(c)[:3] for c in spec], dtype=np.float64)


def colormap_stops(spec: str | Sequence[str]) -> list[str]:
    """The colour stops of a validated colormap as ``#rrggbb`` strings for the page."""
    return list(_stops(spec if isinstance(spec, str) else tuple(spec)))


@lru_cache(maxsize=64)
def _stops(spec: str | tuple[str, ...]) -> tuple[str, ...]:
    # Cached: every figure description needs them, and a training loop makes one per step.
    return tuple(to_hex(tuple(rgb)) for rgb in colormap_rgb(spec))


def map_values(
    values: np.ndarray, vmin: float, vmax: float, spec: str | Sequence[str]
) -> np.ndarray:
    """Colour ``values`` exactly as the page does: clamp to [vmin, vmax], then
    interpolate linearly in RGB between evenly spaced stops.

    Returns a float array of shape ``values.shape + (3,)`` in 0..255; NaN values give NaN.
    """
    stops = colormap_rgb(spec)
    fraction = (np.asarray(values, dtype=np.float64) - vmin) / (vmax - vmin)
    fraction = np.clip(fraction, 0.0, 1.0)
    positions = np.linspace(0.0, 1.0, len(stops))
    return np.stack([np.interp(fraction, positions, stops[:, c]) for c in range(3)], axis=-1)
