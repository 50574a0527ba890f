// Per-panel limits in the page: each panel's automatic limits of maps the page shows by
// itself (panelAuto, Python's compare._panel_auto), the limits in force with vmin/vmax
// (limitsInForce's panels) and the strip labels (Figure.strip_labels): golden cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { limitsInForce, panelAuto, panelAutoPairs, panelPairs } from '../src/page/limits.js';
import { stripGradient, stripLabels } from '../src/page/strip.js';
import { cases } from './golden.mjs';

const values = (/** @type {(number | null)[] | null} */ list) => (
  list ? Float64Array.from(list, (v) => (v === null ? NaN : v)) : null);

test('panelAuto equals Python\'s per-panel automatic limits, view by view', () => {
  assert.ok(cases.panel_limits.length >= 8);
  for (const c of cases.panel_limits) {
    const got = panelAuto(values(c.values), c.shape[0], c.view, values(c.data), values(c.reference));
    assert.deepEqual(got, c.panel_auto, `${c.view} of shape ${c.shape}`);
  }
});

test('limitsInForce applies vmin/vmax to every panel as Python does', () => {
  for (const c of cases.panel_limits.flatMap((k) => k.bounds.map((b) => ({ ...b, panel_auto: k.panel_auto })))) {
    const out = limitsInForce([0, 1], c.vmin, c.vmax, c.panel_auto);
    assert.deepEqual(panelPairs(out), c.panels, `vmin ${c.vmin} vmax ${c.vmax}`);
    assert.deepEqual(panelAutoPairs(out), c.panel_auto);
    // What Python sends: flat, the automatic limits only where they differ.
    assert.deepEqual(panelPairs({ panels: c.panels.flat() }), c.panels);
    assert.deepEqual(panelAutoPairs({ panels: c.panels.flat() }), c.panels);
    // As Python sends them: one little-endian float64 buffer (a DataView), at any offset.
    const bytes = new Uint8Array(8 * 2 * c.panels.length + 3);
    const view = new DataView(bytes.buffer, 3, 8 * 2 * c.panels.length);
    c.panels.flat().forEach((v, i) => view.setFloat64(8 * i, v, true));
    assert.deepEqual(panelPairs({ panels: view }), c.panels);
  }
  assert.equal(limitsInForce([0, 1], null, null).panels, undefined); // shared: none
});

test('stripLabels equals Figure.strip_labels', () => {
  for (const c of cases.panel_limits.flatMap((k) => k.bounds)) {
    c.panels.forEach((/** @type {number[]} */ range, /** @type {number} */ i) => assert.deepEqual(stripLabels(range), c.strip_labels[i]));
  }
});

test('the strip gradient runs the stops left to right', () => {
  assert.equal(stripGradient(['#000000', '#ffffff']), 'linear-gradient(to right, #000000, #ffffff)');
});
