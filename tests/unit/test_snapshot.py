"""Static export (SVG and PNG, no browser) and the command line.

Expected colours come from matplotlib's own colormaps, not from the package's tables, and
expected positions from the figure's cell size and the layout constants, so a drift in
either writer shows up.

The SVG is the compact form: each panel's cells are the rects of a ``<g class="dhs-p{i}">``
(in data order, without a class of their own), lines are merged into paths and texts of
one style share a ``<g>`` that carries their font size, colour, anchor and weight. So the
tests read a text's style from its group, and tell titles, tick labels and colorbar labels
apart by style and position (see ``svg_texts``), not by a class.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from PIL import Image

from cli import CliResult, run_cli

from digitheat_widget import DigitHeatmapGrid
from digitheat_widget.figure import layout as figure_layout
from digitheat_widget.figure.colors import parse_color
from digitheat_widget.figure.scene import build_scene
from digitheat_widget.figure.ticks import tick_values

SVG = "{http://www.w3.org/2000/svg}"
TOLERANCE = 6  # per channel, 0..255
REPO = Path(__file__).resolve().parents[2]
NASTY = "</text><script>alert(1)</script>"


def mpl_rgb(grid: DigitHeatmapGrid, values: np.ndarray) -> np.ndarray:
    """matplotlib's colour (0..255) for ``values`` under the grid's limits and colormap."""
    lo, hi = grid.limits
    rgba = matplotlib.colormaps[grid.colormap]((np.asarray(values) - lo) / (hi - lo))
    return np.asarray(rgba)[..., :3] * 255.0


def hex_rgb(text: str) -> np.ndarray:
    return np.array(parse_color(text)[:3], dtype=np.float64)


def over_white(rgb: np.ndarray, alpha: float) -> np.ndarray:
    return rgb * alpha + 255.0 * (1.0 - alpha)


def cell_rects(root: ET.Element) -> list[ET.Element]:
    """Every cell, panel by panel, in data order: the rects of the ``dhs-p{i}`` groups."""
    groups = [g for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("dhs-p")]
    assert [g.get("class") for g in groups] == [f"dhs-p{i}" for i in range(len(groups))]
    rects = [r for g in groups for r in g]
    assert all(r.tag == f"{SVG}rect" and r.get("class") is None for r in rects)
    return rects


STYLE = ("font-size", "fill", "text-anchor", "font-weight")


def svg_texts(root: ET.Element) -> list[dict]:
    """Every <text> with its style as inherited from its groups (SVG's own inheritance of
    presentation attributes), its position and its string, in document order."""
    found: list[dict] = []

    def visit(element: ET.Element, style: dict) -> None:
        style = {**style, **{k: element.get(k) for k in STYLE if element.get(k) is not None}}
        if element.tag == f"{SVG}text":
            found.append({"text": element.text or "", "x": float(element.get("x")),
                          "y": float(element.get("y")), "size": float(style["font-size"]),
                          "fill": style.get("fill"),
                          "anchor": style.get("text-anchor", "start"),
                          "bold": style.get("font-weight") == "bold"})
        for child in element:
            visit(child, style)

    visit(root, {})
    return found


def texts(grid: DigitHeatmapGrid, root: ET.Element, role: str) -> list[dict]:
    """The texts of one role: "title" (title font), "tick-label" (tick font, left of the
    colorbar) or "colorbar-label" (tick font, right of the panels). Titles come in panel
    order (reading order of their positions); the others as the document has them."""
    grid_width = grid_size(grid)[0]
    if role == "title":
        found = [t for t in svg_texts(root) if t["size"] == figure_layout.TITLE_FONT_PX]
        return sorted(found, key=lambda t: (t["y"], t["x"]))
    small = [t for t in svg_texts(root) if t["size"] == figure_layout.TICK_FONT_PX]
    if role == "tick-label":
        return [t for t in small if t["x"] < grid_width]
    assert role == "colorbar-label", role
    return [t for t in small if t["x"] > grid_width]


def panel_size(grid: DigitHeatmapGrid) -> tuple[int, int, int]:
    """(width, height, cell) of one panel: the cells plus the layout's margins."""
    cell = grid.figure.geometry.cell
    _, rows, cols = grid.data.shape
    margin = figure_layout.PANEL_MARGIN
    return (cols * cell + margin["left"] + margin["right"],
            rows * cell + margin["top"] + margin["bottom"], cell)


def grid_size(grid: DigitHeatmapGrid) -> tuple[int, int]:
    """(width, height) of the grid of panels, without the colorbar."""
    width, height, _ = panel_size(grid)
    count = grid.data.shape[0]
    rows = -(-count // grid.columns)
    return (grid.columns * width + (grid.columns - 1) * figure_layout.GAP_X,
            rows * height + (rows - 1) * figure_layout.GAP_Y)


def cell_centre(grid: DigitHeatmapGrid, index: int, row: int, col: int) -> tuple[float, float]:
    """Centre of a cell in page pixels, from the cell size and the layout constants."""
    x, y, _, _ = panel_box(grid, index)
    cell = panel_size(grid)[2]
    return (x + figure_layout.PANEL_MARGIN["left"] + (col + 0.5) * cell,
            y + figure_layout.PANEL_MARGIN["top"] + (row + 0.5) * cell)


def panel_box(grid: DigitHeatmapGrid, index: int) -> tuple[int, int, int, int]:
    width, height, _ = panel_size(grid)
    x = (index % grid.columns) * (width + figure_layout.GAP_X)
    y = (index // grid.columns) * (height + figure_layout.GAP_Y)
    return x, y, width, height


def in_panel(grid: DigitHeatmapGrid, text: dict) -> int:
    """The panel whose box holds a text's anchor point."""
    for index in range(grid.data.shape[0]):
        x, y, w, h = panel_box(grid, index)
        if x <= text["x"] <= x + w and y <= text["y"] <= y + h:
            return index
    raise AssertionError(f"{text} lies in no panel")


def decode(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGB")).astype(np.float64)


def nan_grid() -> DigitHeatmapGrid:
    """Random maps with NaNs, a clamped top end and a non-default colormap."""
    data = np.random.default_rng(7).normal(size=(3, 9, 11))
    data[0, 0, 0] = data[1, 4, 5] = data[2, 8, 10] = np.nan
    return DigitHeatmapGrid(data, vmin=-1.5, vmax=1.0, colormap="viridis",
                            nan_color="#00ff00", columns=2)


# ---------------------------------------------------------------------------- SVG


@pytest.mark.parametrize("make", [DigitHeatmapGrid, nan_grid], ids=["sample", "nan-viridis"])
def test_svg_cells_have_the_colormap_colours(make) -> None:
    grid = make()
    root = ET.fromstring(grid.to_svg().encode())
    rects = cell_rects(root)
    data = grid.data
    assert len(rects) == data.size
    fills = np.array([hex_rgb(r.get("fill")) for r in rects]).reshape(data.shape + (3,))
    finite = ~np.isnan(data)
    expected = mpl_rgb(grid, np.where(finite, data, 0.0))
    worst = np.abs(fills - expected)[finite].max()
    assert worst <= TOLERANCE, f"cell colour off by {worst} units"
    nan = hex_rgb(grid.nan_color)
    assert np.array_equal(fills[~finite], np.broadcast_to(nan, fills[~finite].shape))
    # the top end really is clamped: values above vmax take the last colour
    if grid.vmax is not None:
        above = data > grid.vmax
        assert above.any()
        assert np.abs(fills[above] - mpl_rgb(grid, grid.vmax)).max() <= TOLERANCE


def test_svg_cells_sit_on_the_grid_geometry() -> None:
    grid = DigitHeatmapGrid(columns=3)
    root = ET.fromstring(grid.to_svg().encode())
    rects = cell_rects(root)
    count, rows, cols = grid.data.shape
    cell = panel_size(grid)[2]
    assert cell == max(4, min(24, 150 // max(rows, cols)))  # the documented automatic size
    assert len(rects) == count * rows * cols
    for k in (0, 7, cols * rows + 3, len(rects) - 1):
        index, rest = divmod(k, rows * cols)
        row, col = divmod(rest, cols)
        cx, cy = cell_centre(grid, index, row, col)
        rect = rects[k]
        assert float(rect.get("width")) == float(rect.get("height")) == cell
        assert float(rect.get("x")) + cell / 2 == cx
        assert float(rect.get("y")) + cell / 2 == cy


def test_svg_nan_colour_with_alpha_is_painted_over_white() -> None:
    data = np.array([[[np.nan, 1.0], [2.0, 3.0]]])
    grid = DigitHeatmapGrid(data, nan_color="rgba(0, 0, 255, 0.5)")
    rects = cell_rects(ET.fromstring(grid.to_svg().encode()))
    assert np.abs(hex_rgb(rects[0].get("fill")) - [127.5, 127.5, 255]).max() <= 1


def test_svg_titles_ticks_and_colorbar_labels() -> None:
    grid = DigitHeatmapGrid(np.random.default_rng(1).random((2, 28, 28)))
    root = ET.fromstring(grid.to_svg().encode())
    titles = texts(grid, root, "title")
    assert [t["text"] for t in titles] == grid.labels
    assert all(t["anchor"] == "middle" and not t["bold"] for t in titles)
    # Thinned: 5 px cells cannot hold 28 labels; every 4th is 20 px apart. The live SVG
    # panels (bqplot's reversed row scale) thin rows from the last one up; the picture
    # labels the same rows and columns (the figure's ticks).
    columns = [0, 4, 8, 12, 16, 20, 24]
    rows = [3, 7, 11, 15, 19, 23, 27]
    geometry = grid.figure.geometry
    assert (geometry.x_ticks, geometry.y_ticks) == (columns, rows)
    ticks = texts(grid, root, "tick-label")
    assert len(ticks) == 2 * (len(rows) + len(columns))
    for index in range(2):
        mine = [t for t in ticks if in_panel(grid, t) == index]
        y_labels = sorted((t for t in mine if t["anchor"] == "end"), key=lambda t: t["y"])
        x_labels = sorted((t for t in mine if t["anchor"] == "middle"), key=lambda t: t["x"])
        assert [t["text"] for t in y_labels] == [str(r) for r in rows]
        assert [t["text"] for t in x_labels] == [str(c) for c in columns]
        assert len(y_labels) + len(x_labels) == len(mine)
        # Each label at the centre of its row or column.
        for t, r in zip(y_labels, rows):
            assert abs(t["y"] - cell_centre(grid, index, r, 0)[1]) < figure_layout.TICK_FONT_PX
        for t, c in zip(x_labels, columns):
            assert t["x"] == cell_centre(grid, index, 0, c)[0]
    labels = texts(grid, root, "colorbar-label")
    assert [t["text"] for t in labels] == grid.tick_labels()
    ys = [t["y"] for t in labels]
    assert ys == sorted(ys, reverse=True)  # low values at the bottom
    assert len(labels) == len(tick_values(*grid.limits))


def test_svg_escapes_labels() -> None:
    labels = [NASTY, 'a & b "quoted" <x>', "tab\there"] + [str(i) for i in range(7)]
    grid = DigitHeatmapGrid(labels=labels)
    svg = grid.to_svg()
    assert NASTY not in svg
    assert "<script" not in svg
    root = ET.fromstring(svg.encode())
    assert not list(root.iter(f"{SVG}script"))
    titles = [t["text"] for t in texts(grid, root, "title")]
    assert titles[0] == NASTY
    assert titles[1] == 'a & b "quoted" <x>'
    assert titles[2] == "tab here"  # whitespace collapses, as SVG text does on the page


def test_svg_survives_characters_xml_cannot_hold() -> None:
    labels = ["nul\x00here", "esc\x1b"] + [str(i) for i in range(8)]
    grid = DigitHeatmapGrid(labels=labels)
    root = ET.fromstring(grid.to_svg().encode())
    assert [t["text"] for t in texts(grid, root, "title")][:2] == ["nul\ufffdhere", "esc\ufffd"]


def test_svg_highlight_outline_and_dimming() -> None:
    grid = DigitHeatmapGrid(highlighted=[3, 8])
    root = ET.fromstring(grid.to_svg().encode())
    outlines = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "highlight"]
    assert len(outlines) == 2
    assert {r.get("stroke") for r in outlines} == {figure_layout.ACCENT_COLOR}
    x, y, w, h = panel_box(grid, 3)
    first = outlines[0]
    assert float(first.get("stroke-width")) == 3
    assert float(first.get("x")) == x + 1.5 and float(first.get("width")) == w - 3  # inset
    assert float(first.get("y")) == y + 1.5 and float(first.get("height")) == h - 3
    fills = np.array([hex_rgb(r.get("fill")) for r in cell_rects(root)])
    fills = fills.reshape(grid.data.shape + (3,))
    plain = mpl_rgb(grid, grid.data)
    assert np.abs(fills[3] - plain[3]).max() <= TOLERANCE
    dimmed = over_white(plain[0], figure_layout.DIMMED_OPACITY)
    assert np.abs(fills[0] - dimmed).max() <= TOLERANCE
    bold = [t["bold"] for t in texts(grid, root, "title")]
    assert [i for i, b in enumerate(bold) if b] == [3, 8]


# ---------------------------------------------------------------------------- PNG


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_png_size_matches_the_figure(scale: int) -> None:
    grid = DigitHeatmapGrid()
    pixels = decode(grid.to_png(scale=scale))
    root = ET.fromstring(grid.to_svg().encode())
    grid_width, grid_height = grid_size(grid)
    # The colorbar: bar offset, bar, 8 px of ticks, then the longest label (6.5 px a
    # character at the tick font).
    longest = max(len(t) for t in grid.tick_labels())
    colorbar = (figure_layout.COLORBAR_BAR_LEFT + figure_layout.COLORBAR_BAR_WIDTH + 8
                + int(longest * 6.5))
    assert pixels.shape[0] == grid_height * scale
    assert pixels.shape[1] >= (grid_width + colorbar) * scale
    assert pixels.shape[:2] == (int(root.get("height")) * scale, int(root.get("width")) * scale)


@pytest.mark.parametrize("make", [DigitHeatmapGrid, nan_grid], ids=["sample", "nan-viridis"])
def test_png_cell_centres_have_the_colormap_colours(make) -> None:
    grid = make()
    scale = 2
    pixels = decode(grid.to_png(scale=scale))
    count, rows, cols = grid.data.shape
    for index in range(count):
        for row in range(rows):
            for col in range(cols):
                value = grid.data[index, row, col]
                cx, cy = cell_centre(grid, index, row, col)
                got = pixels[int(cy * scale), int(cx * scale)]
                want = (hex_rgb(grid.nan_color) if np.isnan(value)
                        else mpl_rgb(grid, value))
                assert np.abs(got - want).max() <= TOLERANCE, (index, row, col, got, want)


def test_png_agrees_with_svg_everywhere() -> None:
    grid = nan_grid()
    grid.highlighted = [1]
    root = ET.fromstring(grid.to_svg().encode())
    pixels = decode(grid.to_png(scale=2))
    for rect in cell_rects(root):
        cx = float(rect.get("x")) + float(rect.get("width")) / 2
        cy = float(rect.get("y")) + float(rect.get("height")) / 2
        assert np.array_equal(pixels[int(cy * 2), int(cx * 2)], hex_rgb(rect.get("fill")))


def test_png_highlight_outline_and_dimming() -> None:
    grid = DigitHeatmapGrid(highlighted=[3])
    scale = 2
    pixels = decode(grid.to_png(scale=scale))
    accent = hex_rgb(figure_layout.ACCENT_COLOR)
    x, y, w, h = panel_box(grid, 3)
    # the 3 px band just inside the panel box, on all four sides
    for px, py in [(x + 1, y + h / 2), (x + w - 2, y + h / 2), (x + w / 2, y + 1),
                   (x + w / 2, y + h - 2)]:
        assert np.array_equal(pixels[int(py * scale), int(px * scale)], accent), (px, py)
    outline = pixels[y * scale:(y + h) * scale, x * scale:(x + w) * scale]
    band = np.all(outline == accent, axis=-1)
    assert band.sum() >= 2 * (w + h) * 3 * scale * scale * 0.9
    # just inside the band: not accent (the outline is 3 px, not more)
    assert not np.array_equal(pixels[int((y + h / 2) * scale), (x + 3) * scale + 1], accent)
    # panel 2, not highlighted: no outline, and its cells are dimmed toward white
    x2, y2, w2, h2 = panel_box(grid, 2)
    assert np.array_equal(pixels[int((y2 + h2 / 2) * scale), (x2 + 1) * scale], [255, 255, 255])
    cx, cy = cell_centre(grid, 2, 3, 2)
    want = over_white(mpl_rgb(grid, grid.data[2, 3, 2]), figure_layout.DIMMED_OPACITY)
    assert np.abs(pixels[int(cy * scale), int(cx * scale)] - want).max() <= TOLERANCE


def test_png_colorbar_runs_low_to_high() -> None:
    grid = DigitHeatmapGrid()
    scale = 2
    pixels = decode(grid.to_png(scale=scale))
    grid_width, grid_height = grid_size(grid)
    x = grid_width + figure_layout.COLORBAR_BAR_LEFT + figure_layout.COLORBAR_BAR_WIDTH / 2
    top = figure_layout.PANEL_MARGIN["top"]
    bottom = grid_height - figure_layout.PANEL_MARGIN["bottom"]
    lo, hi = grid.limits
    for fraction in (0.1, 0.5, 0.9):
        y = bottom - fraction * (bottom - top)
        got = pixels[int(y * scale), int(x * scale)]
        want = mpl_rgb(grid, lo + fraction * (hi - lo))
        assert np.abs(got - want).max() <= TOLERANCE, (fraction, got, want)


@pytest.mark.parametrize("data", [None, np.arange(4 * 25.0).reshape(4, 5, 5) * 1e5],
                         ids=["sample", "exponent-labels"])
def test_png_draws_nothing_on_its_edges(data) -> None:
    """Titles, tick labels and the colorbar's (widest) labels all fit inside the picture."""
    grid = DigitHeatmapGrid(data)
    pixels = decode(grid.to_png(scale=2))
    white = np.all(pixels == 255, axis=-1)
    assert white[:2].all() and white[-2:].all() and white[:, :2].all() and white[:, -4:].all()
    labels_right = white[:, -40:].all(axis=0)
    assert not labels_right.all()  # the labels do reach toward the right edge


def test_png_rejects_a_bad_scale() -> None:
    with pytest.raises(ValueError, match="scale"):
        DigitHeatmapGrid().to_png(scale=0)


def test_scene_is_shared_by_both_writers() -> None:
    scene = build_scene(DigitHeatmapGrid().figure)
    roles = {getattr(item, "role", "") for item in scene.items}
    assert {"cell", "title", "tick-label", "colorbar", "colorbar-label"} <= roles


# ---------------------------------------------------------------------------- CLI


def assert_one_line_error(result: CliResult, *words: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_cli_sample_to_svg_and_png(tmp_path: Path) -> None:
    result = run_cli("-o", "grid.svg", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    root = ET.parse(tmp_path / "grid.svg").getroot()
    assert len(cell_rects(root)) == 10 * 7 * 6
    assert ET.tostring(root) == ET.tostring(ET.fromstring(DigitHeatmapGrid().to_svg().encode()))

    result = run_cli("-o", tmp_path / "grid.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pixels = decode((tmp_path / "grid.png").read_bytes())
    assert pixels.shape[:2] == (int(root.get("height")) * 2, int(root.get("width")) * 2)


def test_cli_tensor_with_options(tmp_path: Path) -> None:
    data = np.random.default_rng(3).random((4, 5, 6))
    np.save(tmp_path / "t.npy", data)
    result = run_cli("t.npy", "-o", "out.svg", "--vmin", "0.2", "--vmax", "0.8",
                     "--colormap", "viridis", "--highlight", "1", "3", "--columns", "3",
                     "--labels", "a", "b", NASTY, "d", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    expected = DigitHeatmapGrid(data, vmin=0.2, vmax=0.8, colormap="viridis",
                                highlighted=[1, 3], columns=3, labels=["a", "b", NASTY, "d"])
    svg = (tmp_path / "out.svg").read_text(encoding="utf-8")
    assert svg == expected.to_svg()
    root = ET.fromstring(svg.encode())
    assert [t["text"] for t in texts(expected, root, "title")] == ["a", "b", NASTY, "d"]
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("class") == "highlight"]) == 2
    fills = np.array([hex_rgb(r.get("fill")) for r in cell_rects(root)]).reshape(4, 5, 6, 3)
    assert np.abs(fills[1] - mpl_rgb(expected, data[1])).max() <= TOLERANCE

    result = run_cli("t.npy", "-o", "out.png", "--columns", "4", "--scale", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    wide = DigitHeatmapGrid(data, columns=4)
    assert decode((tmp_path / "out.png").read_bytes()).shape[:2] == (
        build_scene(wide.figure).height, build_scene(wide.figure).width)


def test_cli_html(tmp_path: Path) -> None:
    result = run_cli("-o", "grid.html", cwd=tmp_path)
    if hasattr(DigitHeatmapGrid, "to_html"):
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "grid.html").stat().st_size > 0
    else:
        assert result.returncode == 2
        assert_one_line_error(result, "HTML export is not available yet")
        assert not (tmp_path / "grid.html").exists()


def test_cli_missing_file(tmp_path: Path) -> None:
    result = run_cli("nope.npy", "-o", "x.png", cwd=tmp_path)
    assert_one_line_error(result, "no such file", "nope.npy")
    assert not (tmp_path / "x.png").exists()


def test_cli_two_dimensional_array(tmp_path: Path) -> None:
    np.save(tmp_path / "flat.npy", np.zeros((3, 4)))
    result = run_cli("flat.npy", "-o", "x.svg", cwd=tmp_path)
    assert_one_line_error(result, "3-D", "(3, 4)")
    assert not (tmp_path / "x.svg").exists()


def test_cli_text_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("1 2 3\n4 5 6\n")
    result = run_cli("notes.txt", "-o", "x.png", cwd=tmp_path)
    assert_one_line_error(result, "notes.txt", "not a NumPy .npy file")


@pytest.mark.parametrize(("args", "words"), [
    (["--vmin", "1", "--vmax", "0"], ["vmin < vmax"]),
    (["--colormap", "nope"], ["colormap", "'nope'"]),
    (["--highlight", "12"], ["highlighted", "[12]"]),
    (["--columns", "0"], ["columns"]),
    (["--labels", "a", "b"], ["labels", "10"]),
    (["--vmin", "abc"], ["--vmin", "'abc'"]),
    (["--scale", "0"], ["--scale"]),
])
def test_cli_bad_option(tmp_path: Path, args: list[str], words: list[str]) -> None:
    result = run_cli(*args, "-o", "x.png", cwd=tmp_path)
    assert_one_line_error(result, *words)
    assert not (tmp_path / "x.png").exists()


#: Options that apply to some outputs only, given for another (issue 24: --fps was ignored
#: for .svg while --theme was refused there). Each is refused alike, before anything is read.
OPTION_ELSEWHERE = [
    (["--fps", "0"], "x.svg", "--fps applies only to animations (.gif, .webp, .apng), got --fps 0 for -o x.svg"),
    (["--fps", "10"], "x.png", "--fps applies only to animations (.gif, .webp, .apng), got --fps 10 for -o x.png"),
    (["--fps", "2"], "x.html", "--fps applies only to animations"),
    (["--theme", "dark"], "x.svg", "--theme applies only to .html pages (pictures are drawn on white), got --theme dark for -o x.svg"),
    (["--theme", "light"], "x.gif", "--theme applies only to .html pages"),
    (["--scale", "3"], "x.svg", "--scale applies only to .png pictures and animations (.gif, .webp, .apng), got --scale 3 for -o x.svg"),
    (["--scale", "2"], "x.html", "--scale applies only to .png pictures and animations"),
]


@pytest.mark.parametrize(("args", "output", "says"), OPTION_ELSEWHERE,
                         ids=[f"{a[0]} for {o}" for a, o, _ in OPTION_ELSEWHERE])
def test_cli_refuses_an_option_for_an_output_it_does_not_apply_to(
        tmp_path: Path, args: list[str], output: str, says: str) -> None:
    result = run_cli("nope.npy", "-o", output, *args, cwd=tmp_path)
    assert result.returncode == 2  # a usage error, found before the (missing) tensor
    assert_one_line_error(result, says)
    assert not (tmp_path / output).exists()


def _pickled_frames(path: Path) -> None:
    np.save(path, np.full((2, 3, 4, 5), 1.5, dtype=object), allow_pickle=True)


def _pickled_ragged(path: Path) -> None:
    np.save(path, np.array([np.zeros((2, 2)), np.zeros((3, 3))], dtype=object), allow_pickle=True)


#: A .npy the command cannot draw, refused with its own reason (issue 24: a pickled 4-D
#: .npy was "not a NumPy .npy file (or its header is damaged)"): expected, then what came.
NPY_REFUSED = [
    ("pickled 4-D", _pickled_frames,
     ["pickled object array (dtype object, shape (2, 3, 4, 5)), which is not loaded: unpickling "
      "a file can run any code; expected numbers (a 3-D (N, H, W) array of maps or a 4-D "
      "(T, N, H, W) array of frames)"]),
    ("pickled ragged", _pickled_ragged, ["pickled object array (dtype object, shape (2,))"]),
    ("5-D", lambda path: np.save(path, np.zeros((2, 2, 3, 4, 5))),
     ["expected a 3-D (N, H, W) array of maps or a 4-D (T, N, H, W) array of frames, got a "
      "5-D array of shape (2, 2, 3, 4, 5)"]),
    ("1-D", lambda path: np.save(path, np.zeros(7)), ["got a 1-D array of shape (7,)"]),
]


@pytest.mark.parametrize(("write", "says"), [(w, s) for _, w, s in NPY_REFUSED],
                         ids=[name for name, _, _ in NPY_REFUSED])
def test_cli_says_why_it_cannot_draw_a_npy(tmp_path: Path, write, says: list[str]) -> None:
    write(tmp_path / "t.npy")
    result = run_cli("t.npy", "-o", "x.svg", cwd=tmp_path)
    assert result.returncode == 1
    assert_one_line_error(result, "t.npy", *says)
    assert "not a NumPy .npy file" not in result.stderr
    assert not (tmp_path / "x.svg").exists()


def test_cli_unknown_output_type(tmp_path: Path) -> None:
    result = run_cli("-o", "x.pdf", cwd=tmp_path)
    assert result.returncode == 2
    assert_one_line_error(result, ".pdf")


def test_cli_says_which_page_of_a_large_stack_it_drew(tmp_path: Path) -> None:
    """Issue 24: a (5000, 2, 2) tensor was drawn as its first 100 panels with exit 0 and
    nothing said. The CLI says which panels the picture holds, and --page picks another."""
    np.save(tmp_path / "big.npy", np.arange(5000 * 4, dtype=float).reshape(5000, 2, 2))
    first = run_cli("big.npy", "-o", "a.svg", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "page 0 of 0..49: panels 0..99 of 5000 (--page chooses another)" in first.stdout
    third = run_cli("big.npy", "-o", "b.svg", "--page", "2", cwd=tmp_path)
    assert "page 2 of 0..49: panels 200..299 of 5000" in third.stdout
    # Panel titles are global indices: the last panel of each page.
    assert ">299<" in (tmp_path / "b.svg").read_text() and ">299<" not in (tmp_path / "a.svg").read_text()
    assert ">99<" in (tmp_path / "a.svg").read_text()
    refused = run_cli("big.npy", "-o", "c.svg", "--page", "50", cwd=tmp_path)
    assert_one_line_error(refused, "page", "0..49", "50")
