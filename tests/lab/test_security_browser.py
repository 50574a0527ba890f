"""Hostile labels in JupyterLab: the titles, tooltips and toggles show the literal text; no
dialog opens, no element with an event-handler attribute, image or script appears, and
the page's own styles are untouched."""

from __future__ import annotations

import json

import pytest

from .harness import LabPage, write_notebook


LABELS = [
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'; } body { display:none } .x {'",
    "javascript:alert(1)",
    "\u202eevil\u202c txt.exe",
    "A" * 2000 + "<b>long</b>",
    "nul\x00byte",
    "&lt;already&gt; &amp; escaped",
    "<style>body{display:none}</style>",
]
SETUP = f"""\
from digitheat_widget import DigitHeatmapGrid
LABELS = {LABELS!r}
hgrid = DigitHeatmapGrid(labels=LABELS, controls=True, highlighted=[1])
"""


@pytest.fixture(scope="module")
def lab(browser, lab_server):
    write_notebook(lab_server.root / "hostile.ipynb", [SETUP, "hgrid"])
    lab = LabPage.open(browser, lab_server, "hostile.ipynb")
    lab.dialogs = []

    def on_dialog(dialog):
        lab.dialogs.append(dialog.message)
        dialog.dismiss()

    lab.page.on("dialog", on_dialog)  # before any cell runs
    lab.run_all()
    lab.page.wait_for_function(
        "() => document.querySelectorAll('.digitheat-grid rect.heatmapcell').length === 420"
        " && document.querySelectorAll('.dhg-controls button').length >= 10", timeout=90_000)
    lab.selector = f".{lab.execute('print(hgrid.css_class)').strip()}"
    yield lab
    lab.page.close()


def test_titles_show_the_literal_text(lab):
    titles = lab.page.evaluate(
        "(sel) => [...Array(10).keys()].map(k => document.querySelector(`${sel} .dhg-p${k} .mainheading`).textContent)",
        lab.selector)
    assert titles == LABELS


def test_title_buttons_and_toggles_hold_the_text_as_text(lab):
    found = lab.page.evaluate(
        """(sel) => ({
            tips: [...document.querySelectorAll(sel + ' .dhg-title-hit')].map(b => b.getAttribute('title')),
            toggles: [...document.querySelectorAll(sel + ' .dhg-controls .widget-toggle-button')]
                .map(b => b.textContent),
        })""", lab.selector)
    assert len(found["tips"]) == 10
    for label, tip in zip(LABELS, found["tips"]):
        assert tip.startswith(label)
    assert found["toggles"] == LABELS


def test_tooltip_shows_the_literal_label(lab):
    (lab.page.locator(f"{lab.selector} .dhg-p1 g.heatmaprow").nth(2)
     .locator("rect.heatmapcell").nth(3).hover())
    text = lab.page.wait_for_function(
        """() => { for (const t of document.querySelectorAll('.bqplot_mark_tooltip table')) {
                       const cells = [...t.querySelectorAll('td')].map(c => c.textContent);
                       if (cells.some(c => c.includes('onerror'))) return cells; }
                   return false; }""").json_value()
    assert f"{LABELS[1]} · row" in text
    assert lab.page.evaluate("() => document.querySelectorAll('.bqplot_mark_tooltip img').length") == 0


def test_no_markup_from_labels_runs_or_appears(lab):
    # Positive controls: an image error handler we add now has fired (so one a label had
    # added earlier would have fired before it), and our listener does see a dialog.
    lab.page.evaluate("""() => { const img = document.createElement('img');
                                 img.onerror = () => { window.__probe_error = true; img.remove(); };
                                 img.src = 'data:,not-an-image'; document.body.appendChild(img); }""")
    lab.page.wait_for_function("() => window.__probe_error === true")
    with lab.page.expect_event("dialog"):
        lab.page.evaluate("() => { setTimeout(() => alert('probe'), 0); }")
    assert "probe" in lab.dialogs
    found = lab.page.evaluate(
        """(sel) => {
            const root = document.querySelector(sel);
            const handlers = [...document.querySelectorAll('*')].filter(el =>
                [...el.attributes].some(a => a.name.toLowerCase().startsWith('on')));
            return {
                handlers: handlers.map(el => el.outerHTML.slice(0, 120)),
                images: root.querySelectorAll('img, script, iframe, object, embed, foreignObject').length,
                injectedSvg: root.querySelectorAll('.mainheading svg, .mainheading *').length,
                bodyDisplay: getComputedStyle(document.body).display,
                styles: [...root.querySelectorAll('style')].map(s => s.textContent),
            };
        }""", lab.selector)
    assert found["handlers"] == []
    assert found["images"] == 0 and found["injectedSvg"] == 0
    assert found["bodyDisplay"] != "none"
    for css in found["styles"]:
        assert "alert" not in css and "display:none" not in css, css
    assert [d for d in lab.dialogs if d != "probe"] == [], f"dialogs opened: {json.dumps(lab.dialogs)}"
