"""Colorbar ticks and number formats, as d3 (and so bqplot's ColorAxis) draws them.

The page keeps twins of these rules (``js/src/page/format.js`` and ``ticks.js``) for limits
a person sets in the page; ``digitheat_widget._golden`` writes Python's answers for many
inputs into ``js/test/golden.json`` and the page's node tests reproduce every one.
"""

from __future__ import annotations

import functools
import math
import re

import numpy as np

#: Smallest widening of a degenerate range: keeps lo < hi even for subnormal values.
MIN_SPAN = 1e-300
#: Narrowest range relative to its magnitude: float64 resolves about 2^-52 of a value, so
#: ticks of a range narrower than 2^-40 of it could not all be told apart (1.0 to
#: 1.0000000000000002 gave nine labels with two values).
MIN_RELATIVE_SPAN = 2.0**-40


def min_span(lo: float, hi: float) -> float:
    """The narrowest usable colour range at [lo, hi]: its ticks stay distinct."""
    return max(MIN_SPAN, MIN_RELATIVE_SPAN * max(abs(lo), abs(hi)))


def min_spans(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """:func:`min_span` of each pair of ``lo`` and ``hi``, in one numpy step (per-panel
    limits); the scalar one stays plain Python, as it runs on every update."""
    return np.maximum(MIN_SPAN, MIN_RELATIVE_SPAN * np.maximum(np.abs(lo), np.abs(hi)))


def tick_step(lo: float, hi: float, count: int = 10) -> float:
    """The tick step d3's ``scale.ticks(count)`` chooses for [lo, hi] (1, 2 or 5 x 10^k)."""
    raw = max((hi - lo) / count, MIN_SPAN / count)  # auto_limits keeps hi - lo >= MIN_SPAN
    power = math.floor(math.log10(raw))
    error = raw / 10**power
    factor = 10 if error >= math.sqrt(50) else 5 if error >= math.sqrt(10) else 2 if error >= math.sqrt(2) else 1
    return factor * 10.0**power


def tick_values(lo: float, hi: float, count: int = 10) -> np.ndarray:
    """The ticks d3 draws on [lo, hi]: multiples of :func:`tick_step` inside the range."""
    step = tick_step(lo, hi, count)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return np.arange(first, last + 1) * step


@functools.lru_cache(maxsize=256)  # every data update asks again, mostly for the same limits
def tick_format(lo: float, hi: float, count: int = 10) -> str:
    """A d3-format string with just enough decimals that no two ticks look alike.

    Ticks are multiples of a step 1, 2 or 5 x 10^k, so -k decimals (at least 0) keep
    every label distinct and exact; very large or small ranges switch to exponents.
    """
    step = tick_step(lo, hi, count)
    largest = max(abs(lo), abs(hi))
    if largest >= 1e6 or step < 1e-6:
        # Mantissa digits: as many as separate the step from the largest tick.
        digits = max(0, math.floor(math.log10(largest)) - math.floor(math.log10(step) + 1e-9))
        return f".{digits}e"
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return f",.{decimals}f"


def value_format(tick_fmt: str) -> str:
    """Hover values: the colorbar's format with one more decimal (and no thousands
    separator), so a value between two ticks is not shown as one of them."""
    fmt = tick_fmt.replace(",", "")
    return f".{int(fmt[1:-1]) + 1}{fmt[-1]}"


#: A Python exponent's zero padding ("e+06"), which d3 and the page leave out ("e+6").
_EXPONENT_PADDING = re.compile(r"e([+-])0+(?=\d)")


def number_text(value: float, fmt: str) -> str:
    """``value`` written with the d3-format ``fmt`` (",.3f", ".2e") as the page writes it:
    Python's correctly rounded digits, an exponent without zero padding (d3's "1.0e+6"),
    and no "-0" for zero."""
    value = float(value)
    return _EXPONENT_PADDING.sub(r"e\1", format(0.0 if value == 0 else value, fmt))


def value_text(value: float, fmt: str) -> str:
    """A value as the grid says it in words (summary, hover, keyboard readout, tables):
    :func:`number_text`, and "NaN", "inf" or "-inf" for what has no digits."""
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return number_text(value, fmt)


def tick_labels(lo: float, hi: float) -> list[str]:
    """The colorbar's tick labels on [lo, hi], as the page writes them."""
    fmt = tick_format(lo, hi)
    return [number_text(t, fmt) for t in tick_values(lo, hi)]
