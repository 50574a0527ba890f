"""Hostile strings: refused as colours, accepted as labels but never parsed as markup.

Where user text can reach markup, and why it stays text:

* colours (``nan_color``, a colormap list) go into a <style> and into bqplot's scale: they
  must be refused unless they are plain colours, and the page gets only the normalised
  form (``rgba(...)`` / ``#rrggbb``), never the user's spelling;
* labels are panel titles (bqplot writes Figure.title with d3 ``.text()``), tooltip names
  (bqplot's Tooltip, also ``.text()``), the title button's ``tooltip`` (ipywidgets sets
  it as the ``title`` attribute) and the control toggles' descriptions: all plain strings,
  so no widget that renders HTML (HTML, HTMLMath, ``description_allow_html``) may hold
  them;
* the SVG export writes labels as escaped XML text.

The HTML export's escaping of labels is tested in test_embed.py. The browser side (the
literal text shows, no dialog, no event-handler attribute) is in
tests/browser/test_security_browser.py.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from ipywidgets import HTML, HTMLMath
from traitlets import TraitError

from digitheat_widget import DigitHeatmapGrid
from page_model import Page

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
SVG_ELEMENTS = {"svg", "defs", "linearGradient", "stop", "rect", "line", "text"}


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


def test_labels_are_kept_verbatim(hostile_grid):
    assert hostile_grid.labels == HOSTILE
    for label, panel in zip(HOSTILE, hostile_grid._panels):
        assert panel.figure.title == label  # d3 .text() in the page
        assert isinstance(panel.tooltip.labels[0], str) and label in panel.tooltip.labels[0]
        assert label in panel.title_button.tooltip  # a title="" attribute in the page
        assert panel.title_button.description == ""


def test_no_widget_that_renders_html_holds_user_text(hostile_grid, widgets_of, recorder):
    widgets = widgets_of(hostile_grid)
    assert any(type(w).__name__ == "ToggleButton" for w in widgets), "controls are checked too"
    html_widgets = [w for w in widgets if isinstance(w, (HTML, HTMLMath))]
    assert html_widgets == [hostile_grid._style], [type(w).__name__ for w in html_widgets]
    allow_html = [type(w).__name__ for w in widgets if getattr(w, "description_allow_html", False)]
    assert allow_html == []
    # What the page received for the stylesheet: no user text, only our rules.
    css = Page(recorder.events).state(hostile_grid._style)["value"]
    assert css.startswith("<style>") and css.endswith("</style>") and css.count("<") == 2
    for marker in MARKERS:
        assert marker not in css
    for label in HOSTILE:
        assert label not in css


def test_nan_color_reaches_the_stylesheet_normalised_only(grid, recorder):
    grid.nan_color = "  RGB(10%, 20%, 30%)  "
    css = Page(recorder.events).state(grid._style)["value"]
    assert "RGB(10%" not in css and "rgba(26, 51, 76, 1.000)" in css


def test_svg_export_escapes_labels(hostile_grid, tmp_path):
    hostile_grid.save(tmp_path / "grid.svg")
    text = (tmp_path / "grid.svg").read_text(encoding="utf-8")
    root = ET.fromstring(text.encode("utf-8"))  # well-formed XML despite the labels
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= SVG_ELEMENTS, tags - SVG_ELEMENTS
    for element in root.iter():
        handlers = [a for a in element.attrib if a.lower().startswith("on") or "href" in a.lower()]
        assert handlers == [], (element.tag, handlers)
    titles = [t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == "title"]
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
    for label, panel in zip(reversed(HOSTILE), grid._panels):
        assert page.state(panel.figure)["title"] == label
        assert label in page.state(panel.tooltip)["labels"][0]
        assert label in page.state(panel.title_button)["tooltip"]
    assert all(m not in page.state(grid._style)["value"] for m in MARKERS)
    grid.vmax = 0.01  # and the grid still takes changes
    assert Page(recorder.events).state(grid._color_scale)["max"] == 0.01
