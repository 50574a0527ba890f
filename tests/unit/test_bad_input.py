"""Bad input: a TraitError that names the trait, says what was expected and what came, and
leaves everything exactly as it was: trait values, every child widget's state, and the
page (not one comm opened, message sent or comm closed)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from traitlets import TraitError

from digitheat_widget import DigitHeatmapGrid


def named(trait: str) -> str:
    """The trait's name in an error message: the package writes 'DigitHeatmapGrid.vmin',
    traitlets' own type check writes "The 'vmin' trait of a DigitHeatmapGrid instance"."""
    return rf"(DigitHeatmapGrid\.{trait}\b|'{trait}' trait of a DigitHeatmapGrid instance)"


def assert_refused(grid, recorder, take_snapshot, trait, value, pattern):
    """Setting ``trait`` to ``value`` raises a TraitError matching ``pattern`` and changes
    nothing, neither in Python nor on the page."""
    before = take_snapshot(grid)
    with recorder.capture() as cap:
        with pytest.raises(TraitError, match=pattern) as info:
            setattr(grid, trait, value)
    assert re.search(named(trait), str(info.value)), str(info.value)
    assert cap.events == [], [(e.kind, e.data) for e in cap.events]
    assert take_snapshot(grid) == before


@pytest.fixture
def styled(grid):
    """A grid with non-default values everywhere, so a half-applied change would show."""
    with grid.hold_sync():
        grid.vmin, grid.vmax = 0.001, 0.012
    grid.colormap = "viridis"
    grid.highlighted = [1, 4]
    grid.columns = 3
    grid.nan_color = "magenta"
    grid.cell_size = 12
    return grid


def _ragged():
    return [[[1.0, 2.0], [3.0]], [[4.0, 5.0], [6.0, 7.0]]]


DATA_CASES = [
    ("1-D", np.zeros(6), r"expected a 3-D array.*got 1-D with shape \(6,\)"),
    ("2-D", np.zeros((7, 6)), r"expected a 3-D array.*got 2-D with shape \(7, 6\)"),
    ("4-D", np.zeros((2, 3, 7, 6)), r"expected a 3-D array.*got 4-D with shape \(2, 3, 7, 6\)"),
    ("0-D", 3.0, r"expected a 3-D array.*got 0-D"),
    ("empty N", np.zeros((0, 7, 6)), r"expected every axis to be non-empty, got shape \(0, 7, 6\)"),
    ("empty H", np.zeros((10, 0, 6)), r"non-empty, got shape \(10, 0, 6\)"),
    ("empty W", np.zeros((10, 7, 0)), r"non-empty, got shape \(10, 7, 0\)"),
    ("complex", np.zeros((10, 7, 6), dtype=complex), r"expected real numbers.*got complex"),
    ("string", np.full((10, 7, 6), "a"), r"expected real numbers.*got string"),
    ("object", np.empty((10, 7, 6), dtype=object), r"expected real numbers.*got object"),
    ("datetime", np.zeros((10, 7, 6), dtype="datetime64[s]"), r"expected real numbers.*got datetime"),
    ("timedelta", np.zeros((10, 7, 6), dtype="timedelta64[s]"), r"expected real numbers.*got timedelta"),
    ("+inf", np.where(np.arange(420).reshape(10, 7, 6) == 100, np.inf, 0.0),
     r"expected finite values or NaN, got \+-inf \(first at index \(2, 2, 4\)\)"),
    ("-inf", np.full((10, 7, 6), -np.inf), r"expected finite values or NaN, got \+-inf"),
    ("ragged list", _ragged(), r"expected a numeric array-like, got list"),
    ("None", None, r"expected (real numbers|a 3-D array).*got"),
    # An array of more panels is paged (tests/test_pages.py); a list has no shape to page by.
    ("too many panels", [[[0.0]]] * 4097, r"expected at most 4096 panels, got 4097"),
]


@pytest.mark.parametrize(("value", "pattern"), [c[1:] for c in DATA_CASES],
                         ids=[c[0] for c in DATA_CASES])
def test_bad_data(styled, recorder, take_snapshot, value, pattern):
    assert_refused(styled, recorder, take_snapshot, "data", value, pattern)


def test_data_with_other_n_while_custom_labels_are_set(grid, recorder, take_snapshot, sample):
    grid.labels = [f"digit {i}" for i in range(10)]
    assert_refused(
        grid, recorder, take_snapshot, "data", sample[:4],
        r"DigitHeatmapGrid\.data has 4 panels but labels has 10 entries.*hold_sync",
    )


def test_bad_masked_array(styled, recorder, take_snapshot):
    value = np.ma.masked_array(np.full((2, 2, 2), "x"), mask=np.eye(2, dtype=bool)[None].repeat(2, 0))
    assert_refused(styled, recorder, take_snapshot, "data", value, r"expected real numbers")


LIMIT_CASES = [
    ("nan", float("nan"), r"expected a finite number or None, got nan"),
    ("np.nan", np.float64(np.nan), r"expected a finite number or None, got .*nan"),
    ("+inf", float("inf"), r"expected a finite number or None, got inf"),
    ("-inf", -float("inf"), r"expected a finite number or None, got -inf"),
    ("True", True, r"expected a finite number or None, got True"),
    ("False", False, r"expected a finite number or None, got False"),
    ("str", "0.5", r"expected a (float|finite number).*(got|not the)( str)? '0\.5'"),
    ("list", [0.5], r"expected a (float|finite number).*(got|not the)( list)? \[0\.5\]"),
]


@pytest.mark.parametrize("trait", ["vmin", "vmax"])
@pytest.mark.parametrize(("value", "pattern"), [c[1:] for c in LIMIT_CASES],
                         ids=[c[0] for c in LIMIT_CASES])
def test_bad_limit(styled, recorder, take_snapshot, trait, value, pattern):
    assert_refused(styled, recorder, take_snapshot, trait, value, named(trait) + ".*" + pattern)


def test_bool_limit_refused_without_the_other_limit(grid, recorder, take_snapshot):
    # With vmax automatic, nothing else can refuse True: only the bool check can.
    assert grid.vmax is None
    assert_refused(grid, recorder, take_snapshot, "vmin", True,
                   r"DigitHeatmapGrid\.vmin expected a finite number or None, got True")


def test_vmin_not_below_vmax(styled, recorder, take_snapshot):
    # styled has vmin=0.001, vmax=0.012
    assert_refused(styled, recorder, take_snapshot, "vmin", 0.012,
                   r"DigitHeatmapGrid\.vmin expected vmin < vmax, got vmin=0\.012 and vmax=0\.012")
    assert_refused(styled, recorder, take_snapshot, "vmin", 0.5,
                   r"DigitHeatmapGrid\.vmin expected vmin < vmax, got vmin=0\.5 and vmax=0\.012")


def test_vmax_not_above_vmin(styled, recorder, take_snapshot):
    assert_refused(styled, recorder, take_snapshot, "vmax", 0.001,
                   r"DigitHeatmapGrid\.vmax expected vmin < vmax, got vmin=0\.001 and vmax=0\.001")
    assert_refused(styled, recorder, take_snapshot, "vmax", -1.0,
                   r"DigitHeatmapGrid\.vmax expected vmin < vmax, got vmin=0\.001 and vmax=-1\.0")


def test_crossed_limits_in_hold_sync_roll_everything_back(styled, recorder, take_snapshot):
    before = take_snapshot(styled)
    with recorder.capture() as cap:
        with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.vm(in|ax) expected vmin < vmax"):
            with styled.hold_sync():
                styled.colormap = "magma"  # valid, but must not survive the refusal
                styled.vmin = 0.5
                styled.vmax = 0.1
    assert cap.events == []
    assert take_snapshot(styled) == before


def test_bad_value_inside_hold_sync_rolls_back_the_good_ones(styled, recorder, take_snapshot, sample):
    before = take_snapshot(styled)
    with recorder.capture() as cap:
        with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.data expected a 3-D array"):
            with styled.hold_sync():
                styled.labels = list("abcdefghij")
                styled.highlighted = [0]
                styled.data = np.zeros(3)
    assert cap.events == []
    assert take_snapshot(styled) == before


# ----------------------------------------------------------------------- colormap


def test_unknown_colormap_lists_names_and_suggests(styled, recorder, take_snapshot):
    before = take_snapshot(styled)
    with pytest.raises(TraitError, match=r"DigitHeatmapGrid\.colormap .*'hott'.*Did you mean 'hot'") as info:
        styled.colormap = "hott"
    message = str(info.value)
    known = message.split("Known names:")[1]
    for name in ("hot", "viridis", "magma", "inferno", "gray", "Greys", "RdBu_r", "hot_r"):
        assert re.search(rf"\b{name}\b", known), name
    assert take_snapshot(styled) == before
    assert_refused(styled, recorder, take_snapshot, "colormap", "virdis",
                   r"unknown name 'virdis'.*Did you mean 'viridis'.*Known names: .*\bmagma\b")


COLORMAP_CASES = [
    ("empty list", [], r"expected a list of at least 2 CSS colours, got 0"),
    ("one colour", ["red"], r"expected a list of at least 2 CSS colours, got 1"),
    ("bad colour", ["red", "notacolour"], r"colour 1 of the list is not valid.*expected a CSS colour.*'notacolour'"),
    ("injection", ["red", "red; } body { display:none"], r"colour 1 .*not valid.*'red; \} body"),
    ("url", ["url(javascript:alert(1))", "red"], r"colour 0 .*not valid.*'url\(javascript"),
    ("number in list", ["red", 3], r"colour 1 .*not valid.*expected a CSS colour string, got int"),
    ("int", 5, r"expected a colormap name \(str\) or a list of CSS colours, got int"),
    ("None", None, r"expected a colormap name .*got NoneType"),
    ("empty name", "", r"unknown name ''"),
]


@pytest.mark.parametrize(("value", "pattern"), [c[1:] for c in COLORMAP_CASES],
                         ids=[c[0] for c in COLORMAP_CASES])
def test_bad_colormap(styled, recorder, take_snapshot, value, pattern):
    assert_refused(styled, recorder, take_snapshot, "colormap", value,
                   r"DigitHeatmapGrid\.colormap .*" + pattern)


# ----------------------------------------------------------------------- highlighted


HIGHLIGHT_CASES = [
    ("too large", [10], r"expected indices in 0\.\.9, got \[10\]"),
    ("negative", [2, -1], r"expected indices in 0\.\.9, got \[-1\]"),
    ("repeated", [3, 1, 3], r"expected distinct panel indices, got \[3\] repeated"),
    ("float", [1.0], r"expected integer panel indices, got float 1\.0"),
    ("bool", [True], r"expected integer panel indices, got bool True"),
    ("numpy bool", [np.bool_(True)], r"expected integer panel indices, got bool"),
    ("str", "12", r"expected a list of panel indices, got str '12'"),
    ("str item", ["1"], r"expected integer panel indices, got str '1'"),
    ("int", 3, r"expected a list of panel indices, got int 3"),
    ("None", None, r"expected a list of panel indices, got NoneType"),
]


@pytest.mark.parametrize(("value", "pattern"), [c[1:] for c in HIGHLIGHT_CASES],
                         ids=[c[0] for c in HIGHLIGHT_CASES])
def test_bad_highlighted(styled, recorder, take_snapshot, value, pattern):
    assert_refused(styled, recorder, take_snapshot, "highlighted", value,
                   r"DigitHeatmapGrid\.highlighted " + pattern)


# ----------------------------------------------------------------------- labels


LABEL_CASES = [
    ("too few", [str(i) for i in range(9)], r"expected 10 labels \(one per panel\), got 9"),
    ("too many", [str(i) for i in range(11)], r"expected 10 labels \(one per panel\), got 11"),
    ("ints", list(range(10)), r"expected a list of strings, got int 0 at position 0"),
    ("one None", [str(i) for i in range(9)] + [None], r"expected a list of strings, got NoneType None at position 9"),
    ("plain string", "abcdefghij", r"expected a list of strings, got str"),
    ("None", None, r"expected a list of strings, got NoneType"),
]


@pytest.mark.parametrize(("value", "pattern"), [c[1:] for c in LABEL_CASES],
                         ids=[c[0] for c in LABEL_CASES])
def test_bad_labels(styled, recorder, take_snapshot, value, pattern):
    styled.labels = [f"digit {i}" for i in range(10)]
    assert_refused(styled, recorder, take_snapshot, "labels", value,
                   r"DigitHeatmapGrid\.labels " + pattern)


# ----------------------------------------------------------------------- layout


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        (0, r"expected an integer >= 1, got 0"),
        (-1, r"expected an integer >= 1, got -1"),
        (True, r"expected an integer >= 1, got True"),
        (2.5, r"expected an int, not the float 2\.5"),
        ("3", r"expected an int, not the str '3'"),
        (None, r"expected an int, not the NoneType"),
    ],
    ids=["0", "-1", "True", "2.5", "str", "None"],
)
def test_bad_columns(styled, recorder, take_snapshot, value, pattern):
    assert_refused(styled, recorder, take_snapshot, "columns", value, named("columns") + " " + pattern)


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        (0, r"expected pixels per cell in 1\.\.64 or None, got 0"),
        (65, r"expected pixels per cell in 1\.\.64 or None, got 65"),
        (-3, r"expected pixels per cell in 1\.\.64 or None, got -3"),
        (True, r"expected pixels per cell in 1\.\.64 or None, got True"),
        (2.5, r"expected an int( or None)?, not the float 2\.5"),
    ],
    ids=["0", "65", "-3", "True", "2.5"],
)
def test_bad_cell_size(styled, recorder, take_snapshot, value, pattern):
    assert_refused(styled, recorder, take_snapshot, "cell_size", value,
                   named("cell_size") + " " + pattern)


# ----------------------------------------------------------------------- nan_color


NAN_COLOR_CASES = [
    "",
    "notacolour",
    "red; } body { display:none",
    "red;} body {display:none}",
    "url(javascript:alert(1))",
    "expression(alert(1))",
    "red</style><script>alert(1)</script>",
    "#12345",
    "#gggggg",
    "rgb(300, 0, 0)",
    "rgba(0, 0, 0, 2)",
    "rgb(1, 2)",
    "hsl(120%, 50%, 50%)",
    "red !important",
    "var(--x)",
]


@pytest.mark.parametrize("value", NAN_COLOR_CASES)
def test_bad_nan_color(styled, recorder, take_snapshot, value):
    assert_refused(
        styled, recorder, take_snapshot, "nan_color", value,
        # What was expected ("expected ...", or "... must be ...") and what came.
        r"DigitHeatmapGrid\.nan_color .*(expected|must be).*" + re.escape(repr(value)),
    )


@pytest.mark.parametrize("value", [5, None, ("red",)], ids=["int", "None", "tuple"])
def test_nan_color_not_a_string(styled, recorder, take_snapshot, value):
    assert_refused(styled, recorder, take_snapshot, "nan_color", value,
                   named("nan_color") + r" expected a unicode string, not the")


# ----------------------------------------------------------------------- constructor


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        (dict(data=np.zeros(3)), r"DigitHeatmapGrid\.data expected a 3-D array"),
        (dict(colormap="hott"), r"DigitHeatmapGrid\.colormap .*Did you mean 'hot'"),
        (dict(highlighted=[12]), r"DigitHeatmapGrid\.highlighted expected indices in 0\.\.9"),
        (dict(labels=["a"]),
         r"DigitHeatmapGrid\.(labels expected 10 labels|data has 10 panels but labels has 1)"),
        (dict(columns=0), r"DigitHeatmapGrid\.columns expected an integer >= 1"),
        (dict(nan_color="url(x)"), r"DigitHeatmapGrid\.nan_color expected a CSS colour"),
        (dict(vmin=0.5, vmax=0.1), r"DigitHeatmapGrid\.vm(in|ax) expected vmin < vmax"),
        (dict(vmin=0.1, vmax=0.1), r"DigitHeatmapGrid\.vm(in|ax) expected vmin < vmax"),
    ],
    ids=["data", "colormap", "highlighted", "labels", "columns", "nan_color",
         "crossed limits", "equal limits"],
)
def test_bad_constructor_arguments_name_the_trait(kwargs, pattern):
    with pytest.raises(TraitError, match=pattern):
        DigitHeatmapGrid(**kwargs)
