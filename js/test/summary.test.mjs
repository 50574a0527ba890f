// The accessible summary's first sentence is Python's Figure.summary().
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { figureSummary } from '../src/page/summary.js';
import { cases } from './golden.mjs';

test('figureSummary equals Figure.summary() for varied grids', () => {
  for (const c of cases.summary) {
    assert.equal(figureSummary({
      shape: c.shape, low: c.limits[0], high: c.limits[1], tickFormat: c.tick_format,
      colormap: c.colormap, labels: c.labels, highlighted: c.highlighted,
      perPanel: !!c.per_panel,
    }), c.summary);
  }
});
