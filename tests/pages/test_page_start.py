"""An exported page's start: its grid's controller is set up before the views draw.

anywidget gives a model 2 s to import its module (from a blob: URL, in tasks of its own)
and run its initialize, counted from the model's creation. The views' first display is
one long task (seconds for 150 SVG panels on a slow machine): started at once, it held the
controller's module back past that limit, and the page logged "[anywidget] Failed to
initialize model." (the grid still drew). The page's runtime now displays the views once
the controllers say their initialize is done (js/src/index.js, registry.js's INITIALIZED).
"""

from __future__ import annotations

from chromium import LIVE, block_network

from digitheat_widget import DigitHeatmapGrid

#: The views' first display made one long task of 2.5 s, as 150 SVG panels' drawing is on
#: a slow machine: the page's runtime is patched as it loads (before it starts).
SLOW_FIRST_DISPLAY = """
(() => {
  let embed;
  Object.defineProperty(window, 'digitheatEmbed', {
    configurable: true,
    get: () => embed,
    set(value) {
      embed = value;
      const display = value.EmbedManager.prototype.display_view;
      value.EmbedManager.prototype.display_view = function (...args) {
        const until = performance.now() + 2500;
        while (performance.now() < until) { /* the drawing's long task */ }
        return display.apply(this, args);
      };
    },
  });
})();
"""


def test_a_slow_first_display_leaves_the_controller_its_time(chromium_browser, tmp_path):
    grid = DigitHeatmapGrid()
    path = tmp_path / "slow.html"
    grid.save(path)
    page = chromium_browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
    blocked = block_network(page)
    page.add_init_script(SLOW_FIRST_DISPLAY)
    try:
        page.goto(path.as_uri())
        page.wait_for_function(LIVE)
        # The grid is live (its keyboard description and styles in place) and nothing
        # complained: anywidget's limit was not reached.
        assert page.locator(".dhg-controller style").count() == 1
        assert errors == [] and blocked == []
    finally:
        page.close()
        grid.close()
