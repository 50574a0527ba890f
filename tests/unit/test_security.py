"""Hostile strings: refused as colours, accepted as labels but never parsed as markup.

Where user text can reach markup, and why it stays text:

* colours (``nan_color``, a colormap list) go into a <style> (written in the page by the
  controller's view, controller.js) and into bqplot's scale and the canvas: they must be
  refused unless they are plain colours, and the page gets only the normalised form
  (``rgba(...)`` / ``#rrggbb``), never the user's spelling;
* labels are panel titles (bqplot writes Figure.title with d3 ``.text()``), tooltip names
  (bqplot's Tooltip, also ``.text()``), the title button's ``tooltip`` (ipywidgets sets
  it as the ``title`` attribute), the canvas's titles (``fillText``, ``textContent``, a
  ``title`` attribute) and the control toggles' descriptions: all plain strings, so no
  widget that renders HTML (HTML, HTMLMath, ``description_allow_html``) may hold them,
  and no page-side module of the package writes HTML from a string;
* the SVG export writes labels as escaped XML text.

The HTML export's escaping of labels is tested in test_embed.py. The browser side (the
literal text shows, no dialog, no event-handler attribute) is in
tests/browser/test_security_browser.py.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ipywidgets import HTML, HTMLMath
from page_model import Page, controller_of
from traitlets import TraitError

from digitheat_widget import DigitHeatmapGrid
from digitheat_widget.figure import layout as figure_layout

HOSTILE = [
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'; } body { display:none } .x {'",
    "javascript:alert(1)",
    "\u202eevil\u202c txt.exe",  # right-to-left override
    "A" * 5000 + "<b>long</b>",
    "nul\x00byte",
    "&lt;already&gt; &amp; escaped",
    "{{7*7}} ${alert(1)}",
]
IDS = ["script", "img-onerror", "svg-onload", "css-breakout", "javascript-url", "rtl-override",
       "very-long", "nul", "entities", "templates"]
#: Fragments that must never reach any markup the page parses.
MARKERS = ("alert(1)", "onerror", "onload", "<img", "<svg", "<script", "display:none",
           "javascript:", "&lt;already", "{{7*7}}")
SVG = "{http://www.w3.org/2000/svg}"
#: The compact SVG: lines merged into paths, cells and texts grouped; its <title> is the
#: picture's text alternative.
SVG_ELEMENTS = {"svg", "title", "defs", "linearGradient", "stop", "rect", "path", "text", "g"}
PACKAGE = Path(__file__).resolve().parents[2] / "digitheat_widget"
#: Page-side modules of the package (the canvas and the controller with its stylesheet).
PAGE_MODULES = sorted((PACKAGE.parent / "js" / "src" / "page").glob("*.js"))
#: DOM sinks that parse a string as HTML.
HTML_SINKS = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|"
                        r"createContextualFragment|DOMParser")


@pytest.fixture
def hostile_grid(sample):
    grid = DigitHeatmapGrid(sample, labels=HOSTILE, highlighted=[1, 3], controls=True)
    yield grid
    grid.close()


# ----------------------------------------------------------------------- colours refused


@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
@pytest.mark.parametrize("where", ["nan_color", "colormap first", "colormap last", "colormap name"])
def test_hostile_colour_is_refused_and_nothing_changes(grid, recorder, take_snapshot, text, where):
    value = {"nan_color": text, "colormap first": [text, "white"],
             "colormap last": ["black", text], "colormap name": text}[where]
    trait = "nan_color" if where == "nan_color" else "colormap"
    before = take_snapshot(grid)
    with recorder.capture() as cap:
        with pytest.raises(TraitError, match=rf"DigitHeatmapGrid\.{trait} .*expected"):
            setattr(grid, trait, value)
    assert cap.events == []
    assert take_snapshot(grid) == before


# ----------------------------------------------------------------------- labels as text


def assert_style_inputs_are_ours(shown) -> None:
    """What the page's stylesheet is written from (the controller's state: NaN colour,
    the grid's uid, the accent and selection colours, outline width): only normalised
    colours and numbers, never user text."""
    assert re.fullmatch(r"rgba\(\d{1,3}, \d{1,3}, \d{1,3}, [01]\.\d{3}\)", shown.nan_color)
    geometry = shown.geometry
    assert re.fullmatch(r"[0-9a-f]{12}", geometry["uid"])
    assert re.fullmatch(r"#[0-9a-f]{6}", geometry["accent_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", geometry["selected_color"])
    assert isinstance(geometry["highlight_width"], int)
    assert all(isinstance(i, int) for i in shown.highlighted + shown.selected)


def test_labels_are_kept_verbatim(hostile_grid, recorder):
    assert hostile_grid.labels == HOSTILE
    controller = controller_of(hostile_grid)
    assert len(controller.figures) == len(HOSTILE)
    for label, figure, tooltip, button in zip(HOSTILE, controller.figures, controller.tooltips,
                                              controller.titles):
        assert figure.title == label  # d3 .text() in the page
        assert isinstance(tooltip.labels[0], str) and label in tooltip.labels[0]
        assert label in button.tooltip  # a title="" attribute in the page
        assert button.description == ""
    # The controller (and the canvas) get them as plain strings too: fillText,
    # textContent and a title attribute in the page.
    shown = Page(recorder.events).shown(hostile_grid)
    assert shown.labels == HOSTILE
    tips = shown.geometry["title_tooltips"]
    assert len(tips) == len(HOSTILE) and all(label in tip for label, tip in zip(HOSTILE, tips))


def test_no_widget_that_renders_html_holds_user_text(hostile_grid, widgets_of, recorder):
    widgets = widgets_of(hostile_grid)
    assert any(type(w).__name__ == "ToggleButton" for w in widgets), "controls are checked too"
    # Was: one HTML widget, the grid's <style>. The stylesheet is now written in the page
    # by the controller's view from the controller's state, so no HTML widget is left.
    html_widgets = [w for w in widgets if isinstance(w, (HTML, HTMLMath))]
    assert html_widgets == [], [type(w).__name__ for w in html_widgets]
    allow_html = [type(w).__name__ for w in widgets if getattr(w, "description_allow_html", False)]
    assert allow_html == []
    # What the page received for the stylesheet: no user text, only our values.
    shown = Page(recorder.events).shown(hostile_grid)
    assert_style_inputs_are_ours(shown)
    style_inputs = repr([shown.nan_color, shown.geometry["uid"], shown.geometry["accent_color"],
                         shown.geometry["selected_color"]])
    for marker in MARKERS:
        assert marker not in style_inputs
    # And no page-side module of the package parses a string as HTML.
    for module in PAGE_MODULES:
        sinks = HTML_SINKS.findall(module.read_text(encoding="utf-8"))
        assert sinks == [], (module.name, sinks)


def test_nan_color_reaches_the_stylesheet_normalised_only(grid, recorder):
    grid.nan_color = "  RGB(10%, 20%, 30%)  "
    shown = Page(recorder.events).shown(grid)
    assert "RGB(10%" not in shown.nan_color
    assert shown.nan_color == "rgba(26, 51, 76, 1.000)"
    assert_style_inputs_are_ours(shown)


def svg_titles(root: ET.Element) -> list[str]:
    """The panel titles of a compact SVG: the texts of the groups in the title font,
    in reading order of their positions (panel order)."""
    found = []
    for group in root.iter(f"{SVG}g"):
        if group.get("font-size") == str(figure_layout.TITLE_FONT_PX):
            found += [(float(t.get("y")), float(t.get("x")), t.text or "")
                      for t in group.iter(f"{SVG}text")]
    return [text for _, _, text in sorted(found)]


def test_svg_export_escapes_labels(hostile_grid, tmp_path):
    hostile_grid.save(tmp_path / "grid.svg")
    text = (tmp_path / "grid.svg").read_text(encoding="utf-8")
    root = ET.fromstring(text.encode("utf-8"))  # well-formed XML despite the labels
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= SVG_ELEMENTS, tags - SVG_ELEMENTS
    for element in root.iter():
        handlers = [a for a in element.attrib if a.lower().startswith("on") or "href" in a.lower()]
        assert handlers == [], (element.tag, handlers)
    # The text alternative names the highlighted panels by their labels, as text.
    (alternative,) = root.iter(f"{SVG}title")
    assert HOSTILE[1] in alternative.text and HOSTILE[3] in alternative.text
    titles = svg_titles(root)
    assert len(titles) == len(HOSTILE)
    for label, title in zip(HOSTILE, titles):
        if "\x00" in label:  # XML cannot hold NUL even escaped: replaced, the rest kept
            assert "\x00" not in title and title.replace("\ufffd", "") == label.replace("\x00", "")
        else:
            assert title == label
    # Raw text: the markup in labels only appears escaped.
    for marker in ("<img", "<svg onload", "<script", "<b>long"):
        assert marker not in text


def test_png_export_draws_hostile_labels(hostile_grid):
    png = hostile_grid.to_png(scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000


def test_label_changes_after_display_stay_text(grid, recorder):
    """Labels set later travel as plain strings in the update messages too."""
    grid.labels = list(reversed(HOSTILE))
    page = Page(recorder.events)
    controller = controller_of(grid)
    assert len(controller.figures) == len(HOSTILE)
    for label, figure, tooltip, button in zip(reversed(HOSTILE), controller.figures,
                                              controller.tooltips, controller.titles):
        assert page.state(figure)["title"] == label
        assert label in page.state(tooltip)["labels"][0]
        assert label in page.state(button)["tooltip"]
    shown = page.shown(grid)
    assert shown.labels == list(reversed(HOSTILE))
    assert_style_inputs_are_ours(shown)
    grid.vmax = 0.01  # and the grid still takes changes
    shown = Page(recorder.events).shown(grid)
    assert shown.vmax == 0.01 and shown.limits[1] == 0.01
