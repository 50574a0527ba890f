// Automatic limits, limits in force, per-frame and per-view limits reproduce Python's
// (data.py's auto_limits, a grid's limits with frames and with a reference).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { autoLimits, finiteRange, limitsInForce, viewAuto } from '../src/page/limits.js';
import { cases } from './golden.mjs';

test('auto_limits: constant, NaN-only, one end fixed, too narrow, huge', () => {
  for (const c of cases.auto_limits) {
    assert.deepEqual(autoLimits(c.range, c.vmin, c.vmax), c.limits,
      `range ${JSON.stringify(c.range)}, vmin ${c.vmin}, vmax ${c.vmax}`);
  }
});

test('per-frame limits: each frame shown, from the automatic limits Python sends', () => {
  for (const c of cases.frames) {
    c.limits.forEach((limits, t) => {
      const got = limitsInForce(c.auto[t], c.vmin, c.vmax);
      assert.deepEqual([got.low, got.high], limits, `${c.name}, frame ${t}, vmin ${c.vmin}, vmax ${c.vmax}`);
      assert.equal(got.tick_format, c.tick_formats[t], `${c.name}, frame ${t}`);
    });
  }
});

test('an empty history sends no automatic limits', () => {
  const empty = cases.frames.find((c) => c.name === 'empty history');
  assert.deepEqual(empty.auto, []);
  assert.deepEqual(empty.shape, [0, 0, 0, 0]);
});

test('each view\'s automatic limits with a reference; the difference symmetric about 0', () => {
  for (const c of cases.compare) {
    for (const view of ['data', 'reference', 'difference']) {
      assert.deepEqual(viewAuto(view, c.base, c.reference, c.difference_top), c.auto[view],
        `${view} of ${JSON.stringify(c)}`);
    }
    const [lo, hi] = c.auto.difference;
    assert.equal(lo, -hi);
  }
});

test('finiteRange leaves out NaN and infinities', () => {
  assert.deepEqual(finiteRange([NaN, 2, -Infinity, 1, Infinity]), [1, 2]);
  assert.equal(finiteRange([NaN, NaN]), null);
  assert.equal(finiteRange([]), null);
});
