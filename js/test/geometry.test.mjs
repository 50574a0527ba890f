// Panel origins, hit tests and colorbar size reproduce figure/layout.py's GridGeometry.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { colorbarSize, hit, layoutAt, panelOrigin, plotOrigin } from '../src/page/geometry.js';
import { cases } from './golden.mjs';

const asList = (h) => (h === null ? null : h.kind === 'cell'
  ? ['cell', h.digit, h.row, h.col] : ['title', h.digit, -1, -1]);

test('panel and plot origins', () => {
  for (const c of cases.geometry) {
    for (const o of c.origins) {
      assert.deepEqual(panelOrigin(c.layout, o.panel), o.panel_origin);
      assert.deepEqual(plotOrigin(c.layout, o.panel), o.plot_origin);
    }
  }
});

test('what a point hits: cells, titles, gaps, margins, past the last panel', () => {
  let kinds = new Set();
  for (const c of cases.geometry) {
    for (const h of c.hits) {
      assert.deepEqual(asList(hit(c.layout, h.x, h.y)), h.hit, `(${h.x}, ${h.y}) in ${c.layout.count} panels`);
      kinds.add(h.hit ? h.hit[0] : null);
    }
  }
  assert.deepEqual(kinds, new Set(['cell', 'title', null]));
});

test('colorbar width and margins for label sets', () => {
  for (const c of cases.colorbar) {
    assert.deepEqual(colorbarSize(c.labels, c.layout), { width: c.width, margin: c.margin },
      JSON.stringify(c.labels));
  }
});

test('the layout at other columns and cell sizes is GridGeometry.to_page()', () => {
  let checked = 0;
  for (const c of cases.layout) {
    for (const at of c.at) {
      assert.deepEqual(layoutAt(c.natural, at.columns, at.cell), at.layout,
        `${c.natural.count} x ${c.natural.rows} x ${c.natural.cols} at ${at.columns} columns, ${at.cell} px`);
      checked += 1;
    }
  }
  assert.ok(checked > 50);
});
