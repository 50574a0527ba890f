// @ts-check
// The colorbar's ticks: twins of figure/ticks.py's tick_values and tick_labels. The page
// writes no tick itself (bqplot's ColorAxis does, with d3); it needs their text for the
// colorbar's width when limits change in the page (geometry.js's colorbarSize).

import { numberText, tickFormat, tickStep } from './format.js';

/**
 * The ticks d3 draws on [lo, hi]: multiples of the tick step inside the range.
 * @param {number} lo
 * @param {number} hi
 * @param {number} [count]
 * @returns {number[]}
 */
export function tickValues(lo, hi, count = 10) {
  const step = tickStep(lo, hi, count);
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const out = [];
  // Past 2^53 a float index no longer counts by one: count as numpy's int64 arange does.
  for (let i = BigInt(first); i <= BigInt(last) && out.length < 10000; i++) out.push(Number(i) * step);
  return out;
}

/**
 * The colorbar's tick labels on [lo, hi] (in `format`, default the range's own).
 * @param {number} lo
 * @param {number} hi
 * @param {string} [format]
 * @returns {string[]}
 */
export function tickLabels(lo, hi, format = tickFormat(lo, hi)) {
  return tickValues(lo, hi).map((t) => numberText(t, format));
}
