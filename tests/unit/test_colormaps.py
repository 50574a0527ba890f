"""Named colormaps agree with matplotlib (a test-only dependency), as drawn and as sent.

``map_values`` colours values exactly as the page does (linear RGB interpolation between
the stops of the ColorScale); ``colormap_stops`` is what the page receives.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from page_model import Page

from digitheat_widget.figure.colormaps import colormap_stops, map_values

BASE_NAMES = ["hot", "viridis", "magma", "inferno", "gray", "Greys", "RdBu_r"]


def reverse(name: str) -> str:
    return name[:-2] if name.endswith("_r") else f"{name}_r"


NAMES = BASE_NAMES + [reverse(n) for n in BASE_NAMES]  # 'RdBu_r' reversed is 'RdBu'

#: Largest difference per RGB channel (0..255) between the page's colours and matplotlib's.
DRAWN_TOLERANCE = 6.0
#: Largest difference for the stops themselves, at their own positions.
STOP_TOLERANCE = 1.0


def reference(name: str, x: np.ndarray) -> np.ndarray:
    return np.asarray(matplotlib.colormaps[name](x))[..., :3] * 255.0


def hex_to_rgb(stops: list[str]) -> np.ndarray:
    return np.array([[int(s[i : i + 2], 16) for i in (1, 3, 5)] for s in stops], dtype=float)


@pytest.mark.parametrize("name", NAMES)
def test_drawn_colours_match_matplotlib(name):
    x = np.linspace(0.0, 1.0, 1000)
    ours = map_values(x, 0.0, 1.0, name)
    assert ours.shape == (1000, 3)
    worst = np.abs(ours - reference(name, x)).max()
    assert worst <= DRAWN_TOLERANCE, f"{name}: {worst:.2f} units off matplotlib"


@pytest.mark.parametrize("name", ["hot", "viridis", "RdBu_r"])
def test_drawn_colours_follow_the_limits(name):
    # Values in [vmin, vmax] are placed by (v - vmin) / (vmax - vmin); outside, clamped.
    vmin, vmax = -3.0, 5.0
    values = np.linspace(-5.0, 7.0, 400)
    expected = reference(name, np.clip((values - vmin) / (vmax - vmin), 0.0, 1.0))
    assert np.abs(map_values(values, vmin, vmax, name) - expected).max() <= DRAWN_TOLERANCE


@pytest.mark.parametrize("name", NAMES)
def test_stops_sent_to_the_page_match_matplotlib(name):
    stops = colormap_stops(name)
    assert len(stops) >= 16
    assert all(isinstance(s, str) and len(s) == 7 and s.startswith("#") for s in stops)
    rgb = hex_to_rgb(stops)
    positions = np.linspace(0.0, 1.0, len(stops))  # the ColorScale spreads stops evenly
    diff = np.abs(rgb - reference(name, positions))
    worst = diff.max()
    at = int(np.argmax(diff.max(axis=1)))
    assert worst <= STOP_TOLERANCE, (
        f"{name}: stop {at} of {len(stops)} (x={positions[at]:.4f}) is {rgb[at]} but "
        f"matplotlib gives {reference(name, positions[at]).round(1)}: {worst:.2f} units off"
    )


@pytest.mark.parametrize("name", NAMES)
def test_widget_sends_those_stops(grid, recorder, name):
    grid.colormap = name
    # What the page got: the controller's colormap, which it sets on the colour scale.
    page = Page(recorder.events).shown(grid)
    assert page.colormap == name
    sent = hex_to_rgb(page.stops)
    positions = np.linspace(0.0, 1.0, len(sent))
    # Ends exactly, interior within the drawn tolerance (independent of the stop check).
    assert np.abs(sent[[0, -1]] - reference(name, np.array([0.0, 1.0]))).max() <= STOP_TOLERANCE
    assert np.abs(sent - reference(name, positions)).max() <= DRAWN_TOLERANCE


def test_reversed_maps_are_mirrored():
    for name in BASE_NAMES:
        assert colormap_stops(reverse(name)) == colormap_stops(name)[::-1], name


def test_custom_colour_list_interpolates_linearly_in_rgb():
    values = np.array([0.0, 0.25, 0.5, 1.0])
    got = map_values(values, 0.0, 1.0, ("black", "#ff0000", "white"))
    expected = np.array([[0, 0, 0], [127.5, 0, 0], [255, 0, 0], [255, 255, 255]])
    np.testing.assert_allclose(got, expected, atol=1e-9)


# --------------------------------------------------------------------- NaN colour

#: matplotlib's sequential maps (perceptually uniform, sequential, sequential (2)).
SEQUENTIAL = {
    "viridis", "plasma", "inferno", "magma", "cividis",
    "Greys", "Purples", "Blues", "Greens", "Oranges", "Reds", "YlOrBr", "YlOrRd", "OrRd",
    "PuRd", "RdPu", "BuPu", "GnBu", "PuBu", "YlGnBu", "PuBuGn", "BuGn", "YlGn",
    "binary", "gist_yarg", "gist_gray", "gray", "bone", "pink", "spring", "summer",
    "autumn", "winter", "cool", "Wistia", "hot", "afmhot", "gist_heat", "copper",
}


def builtin_sequential() -> list[str]:
    from digitheat_widget import colormap_names

    names = [n for n in colormap_names() if n.removesuffix("_r") in SEQUENTIAL]
    assert {"hot", "viridis", "magma", "inferno", "gray", "Greys"} <= set(names)
    return names


def test_default_nan_colour_stands_apart_from_every_sequential_map_end(grid):
    assert grid.nan_color.lower() == "#4a90d9"
    nan_rgb = np.array([0x4A, 0x90, 0xD9], dtype=float)  # (74, 144, 217)
    for name in builtin_sequential():
        for end in (0.0, 1.0):
            ref = reference(name, np.array([end]))[0]
            distance = float(np.linalg.norm(ref - nan_rgb))
            assert distance > 60, f"NaN colour is {distance:.0f} from {name}({end})"
        sent = hex_to_rgb(colormap_stops(name))
        for stop in (sent[0], sent[-1]):
            assert float(np.linalg.norm(stop - nan_rgb)) > 60, name
