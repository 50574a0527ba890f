"""CSS colour parsing: one strict parser for every colour a user can give the widget.

Colours reach the page as inline CSS, so anything we accept must be a plain colour value
and nothing else (no ``;``, ``}``, ``url(...)``): the parser accepts named CSS colours,
hex notation and ``rgb()``/``rgba()``/``hsl()``/``hsla()`` with numeric arguments.
``webcolors`` supplies the CSS colour names, so the list is the standard's, not ours.
"""

from __future__ import annotations

import colorsys
import re

import webcolors

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)"
_FUNC = re.compile(
    rf"(rgba?|hsla?)\(\s*({_NUMBER}%?)\s*[, ]\s*({_NUMBER}%?)\s*[, ]\s*({_NUMBER}%?)"
    rf"(?:\s*[,/]\s*({_NUMBER}%?))?\s*\)"
)


class ColorError(ValueError):
    """Raised when a string is not a CSS colour this package accepts."""


def _channel(text: str, scale: float) -> float:
    if text.endswith("%"):
        return float(text[:-1]) / 100.0 * scale
    return float(text)


def parse_color(value: object) -> tuple[int, int, int, float]:
    """Parse a CSS colour into ``(r, g, b, alpha)`` with r, g, b in 0..255.

    Parameters
    ----------
    value
        A CSS colour string: a name (``"red"``), hex (``"#f00"``, ``"#ff000080"``) or
        ``rgb()``/``rgba()``/``hsl()``/``hsla()`` with numeric arguments.

    Returns
    -------
    tuple
        Red, green, blue as ints 0..255 and alpha as a float 0..1.

    Raises
    ------
    ColorError
        When ``value`` is not a string or not one of the forms above.
    """
    if not isinstance(value, str):
        raise ColorError(f"expected a CSS colour string, got {type(value).__name__} {value!r}")
    text = value.strip().lower()
    if _HEX.fullmatch(text):
        digits = text[1:]
        if len(digits) in (3, 4):
            digits = "".join(c * 2 for c in digits)
        rgb = [int(digits[i : i + 2], 16) for i in (0, 2, 4)]
        alpha = int(digits[6:8], 16) / 255 if len(digits) == 8 else 1.0
        return rgb[0], rgb[1], rgb[2], alpha
    match = _FUNC.fullmatch(text)
    if match:
        kind, a, b, c, alpha_text = match.groups()
        alpha = 1.0 if alpha_text is None else _channel(alpha_text, 1.0)
        if kind.startswith("rgb"):
            channels = [_channel(x, 255.0) for x in (a, b, c)]
        else:
            if a.endswith("%"):
                raise ColorError(f"hue must be a number of degrees, got {value!r}")
            if not (b.endswith("%") and c.endswith("%")):
                raise ColorError(f"saturation and lightness must be percentages, got {value!r}")
            hue = (float(a) % 360.0) / 360.0
            r, g, b_ = colorsys.hls_to_rgb(hue, _channel(c, 1.0), _channel(b, 1.0))
            channels = [r * 255, g * 255, b_ * 255]
        if not all(0.0 <= x <= 255.0 for x in channels) or not 0.0 <= alpha <= 1.0:
            raise ColorError(
                f"expected colour channels in 0..255 (or 0%..100%) and alpha in 0..1, got {value!r}"
            )
        r_, g_, b2 = (int(round(x)) for x in channels)
        return r_, g_, b2, alpha
    if text == "transparent":
        return 0, 0, 0, 0.0
    try:
        named = webcolors.name_to_rgb(text)
    except ValueError:
        raise ColorError(
            f"expected a CSS colour (a name such as 'steelblue', '#rrggbb', 'rgb(r, g, b)' "
            f"or 'hsl(h, s%, l%)'), got {value!r}"
        ) from None
    return named.red, named.green, named.blue, 1.0


def to_hex(rgb: tuple[float, float, float]) -> str:
    """Format an (r, g, b) triple in 0..255 as ``#rrggbb``."""
    return "#" + "".join(f"{int(round(min(255.0, max(0.0, c)))):02x}" for c in rgb[:3])
