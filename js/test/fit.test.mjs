// fit.js's rule: columns, cell and the colorbar's place for a grid in the width it has.
// The layouts are Python's (golden cases: GridGeometry.to_page()); the expected answers
// are worked out by hand below from the sizes Python gives (panel = cols * cell + 28 + 6,
// 6 px between panels), not by the rule under test.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fitCss, fitLayout, touchCss } from '../src/page/fit.js';
import { layoutAt } from '../src/page/geometry.js';
import { cases } from './golden.mjs';

const layoutOf = (count, rows, cols) => cases.geometry.map((c) => c.layout)
  .find((l) => l.count === count && l.rows === rows && l.cols === cols);
// The sample: 10 maps of 7 x 6 at 21 px, 2 columns (326 px wide); its readable cell is 11.
const sample = { ...layoutOf(10, 7, 6), fit_columns: true, fit_min_cell: 11 };
// 100 maps of 28 x 28 at 5 px, 5 columns (894 px wide); readable cell 4.
const mnist = { ...layoutOf(100, 28, 28), fit_columns: true, fit_min_cell: 4 };
const SAMPLE_BAR = 72; // the sample's colorbar ("0.000" .. "0.014")
const MNIST_BAR = 59; // "0.0" .. "0.9"

test('the natural layout where it fits, never a larger one', () => {
  assert.equal(sample.width, 326);
  for (const available of [326 + SAMPLE_BAR, 1264, 5000]) {
    assert.deepEqual(fitLayout(sample, available, SAMPLE_BAR), { columns: 2, cell: 21, below: false });
  }
});

test('narrower: the same columns at a smaller cell while it stays readable', () => {
  // 390 px phone (374 px inside the page's margins): 2 * (6c + 34) + 6 <= 302 -> c = 19.
  assert.deepEqual(fitLayout(sample, 374, SAMPLE_BAR), { columns: 2, cell: 19, below: false });
  // 320 px: 12c + 74 <= 232 -> c = 13 (>= 11).
  assert.deepEqual(fitLayout(sample, 304, SAMPLE_BAR), { columns: 2, cell: 13, below: false });
  // 128 px beside the bar: 2 columns need c <= 4 (< 11): one column, 6c + 34 <= 128 -> 15.
  assert.deepEqual(fitLayout(sample, 200, SAMPLE_BAR), { columns: 1, cell: 15, below: false });
});

test('the canvas grid: fewer columns, at most one px smaller', () => {
  // 768 px: room 693; 5 columns need c <= 3, 4 columns: 112c + 154 <= 693 -> c = 4.
  assert.deepEqual(fitLayout(mnist, 752, MNIST_BAR), { columns: 4, cell: 4, below: false });
  // 390 px: room 315; 2 columns: 56c + 74 <= 315 -> 4.
  assert.deepEqual(fitLayout(mnist, 374, MNIST_BAR), { columns: 2, cell: 4, below: false });
  // 320 px: room 245; 2 columns need c <= 3; one column fits at the natural 5 px.
  assert.deepEqual(fitLayout(mnist, 304, MNIST_BAR), { columns: 1, cell: 5, below: false });
});

test('nothing fits beside the colorbar: it goes under, the panels get the width', () => {
  // Beside: 28 px left. Under: one column, 6c + 34 <= 100 -> 11.
  assert.deepEqual(fitLayout(sample, 100, SAMPLE_BAR), { columns: 1, cell: 11, below: true });
  // Nothing fits at all: the fewest columns at the smallest readable cell.
  assert.deepEqual(fitLayout(sample, 50, SAMPLE_BAR), { columns: 1, cell: 11, below: true });
});

test('columns given are kept; a cell size given is never scaled', () => {
  const columns = { ...sample, fit_columns: false };
  assert.deepEqual(fitLayout(columns, 304, SAMPLE_BAR), { columns: 2, cell: 13, below: false });
  // Two columns need c <= 4 beside the bar, c <= 10 under it (< 11): the smallest.
  assert.deepEqual(fitLayout(columns, 200, SAMPLE_BAR), { columns: 2, cell: 11, below: true });
  const cell = { ...sample, fit_min_cell: 21 };
  // 2 columns at 21 px need 326 + 72: one column of 160 px does.
  assert.deepEqual(fitLayout(cell, 374, SAMPLE_BAR), { columns: 1, cell: 21, below: false });
  const both = { ...sample, fit_columns: false, fit_min_cell: 21 };
  assert.deepEqual(fitLayout(both, 374, SAMPLE_BAR), { columns: 2, cell: 21, below: true });
});

test('one panel in two default columns: one column before a smaller cell', () => {
  const one = { ...layoutAt(sample, 2, 21), count: 1, width: 326 };
  assert.deepEqual(fitLayout(one, 250, SAMPLE_BAR), { columns: 1, cell: 21, below: false });
});

test('the CSS sets the fitted sizes on this display only, and nothing when natural', () => {
  assert.equal(fitCss('.dhg-v1', sample, sample, false), '');
  const css = fitCss('.dhg-v1', sample, layoutAt(sample, 2, 19), false);
  // 6 * 19 + 34 = 148 px panels; 7 * 19 + 52 = 185 px tall; 5 rows + 4 gaps = 941 px.
  assert.match(css, /\.dhg-v1 \.dhg-body > \.widget-gridbox:first-child \{ grid-template-columns: repeat\(2, 148px\) !important; \}/);
  assert.match(css, /\.dhg-v1 \.dhg-panel \{ width: 148px !important; height: 185px !important; \}/);
  assert.match(css, /\.dhg-v1 \.dhg-title-hit \{ width: 142px !important; \}/);
  assert.match(css, /\.dhg-v1 \.dhg-colorbar \{ height: 941px !important; \}/);
  assert.doesNotMatch(css, /flex-wrap/);
  assert.match(fitCss('.dhg-v1', sample, sample, true), /\.dhg-v1 \.dhg-body \{ flex-wrap: wrap;/);
  assert.match(touchCss('.dhg-v1'), /\.dhg-v1 \.dhg-controls \.widget-hbox \{ flex-wrap: wrap; \}/);
});
