// Number formats, value text and colorbar tick labels reproduce Python's (figure/ticks.py).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { numberText, tickFormat, valueFormat, valueText } from '../src/page/format.js';
import { tickLabels } from '../src/page/ticks.js';
import { cases, golden, num } from './golden.mjs';

test('the golden file holds at least 200 cases', () => {
  assert.ok(golden.total >= 200, `${golden.total} cases`);
});

test('tick and value formats: every golden range', () => {
  assert.ok(cases.formats.length > 50);
  for (const c of cases.formats) {
    const fmt = tickFormat(c.lo, c.hi);
    assert.equal(fmt, c.tick_format, `tick format of [${c.lo}, ${c.hi}]`);
    assert.equal(valueFormat(fmt), c.value_format, `value format of [${c.lo}, ${c.hi}]`);
  }
  // Not one format for everything: both notations and many precisions.
  const formats = new Set(cases.formats.map((c) => c.tick_format));
  assert.ok([...formats].some((f) => f.endsWith('e')) && formats.size > 10);
});

test('value text: finite, NaN and infinite values, ties rounded as Python does', () => {
  for (const c of cases.value_text) {
    assert.equal(valueText(num(c.value), c.format), c.text, `${c.value} as ${c.format}`);
  }
});

test('one wording for NaN in every place that says a value', () => {
  assert.equal(valueText(NaN, '.3f'), 'NaN');
  assert.equal(valueText(NaN, '.2e'), 'NaN');
  assert.equal(numberText(-0, '.2f'), '0.00');
  assert.equal(numberText(1e6, '.1e'), '1.0e+6');
});

test('colorbar tick labels: every golden range', () => {
  for (const c of cases.tick_labels) {
    assert.deepEqual(tickLabels(c.lo, c.hi), c.labels, `ticks of [${c.lo}, ${c.hi}]`);
  }
});
