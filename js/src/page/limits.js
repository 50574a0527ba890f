// @ts-check
// Colour limits in the page. Python finds the automatic limits (data.py's auto_limits,
// frames.py's per-frame ones, compare.py's per view) and sends them: the grid's
// `auto_limits`, each frame's `auto` with the frames, each view's in `compare.auto`.
// What the page still works out itself is the limits in force when a person sets
// vmin/vmax in the page, or shows another frame or view without a kernel:
// `limitsInForce` is data.auto_limits applied to an automatic range, exactly as
// Python's `grid.limits` is (auto_limits(np.array(auto), vmin, vmax)). `viewAuto` is
// compare.py's _compare_auto for the corner where no answer was sent (a frame shown
// page-side while comparing). Golden cases: js/test/limits.test.mjs.

import { MIN_SPAN, minSpan, tickFormat } from './format.js';

/** @typedef {[number, number]} Range  [low, high], low < high for limits */

/**
 * @typedef {object} PageLimits  The limits part the controller draws (Figure.page_limits).
 * @property {number | null} vmin
 * @property {number | null} vmax
 * @property {number} low
 * @property {number} high
 * @property {string} tick_format
 */

/** A usable range width next to `anchor` (data.py's _span).
 * @param {number} anchor */
function span(anchor) {
  return anchor !== 0 ? Math.max(Math.abs(anchor) * 0.1, MIN_SPAN) : 1;
}

/**
 * data.py's auto_limits for values whose finite range is `range` (null: none finite):
 * vmin/vmax where given, the range's ends where not, always low < high.
 * @param {Range | number[] | null} range
 * @param {number | null | undefined} vmin
 * @param {number | null | undefined} vmax
 * @returns {Range}
 */
export function autoLimits(range, vmin, vmax) {
  if (vmin != null && vmax != null && vmax - vmin >= minSpan(vmin, vmax)) return [vmin, vmax];
  let lo = vmin ?? (range ? range[0] : null);
  let hi = vmax ?? (range ? range[1] : null);
  if (lo == null && hi == null) return [0, 1];
  if (lo == null) lo = /** @type {number} */ (hi) - span(/** @type {number} */ (hi));
  if (hi == null) hi = lo + span(lo);
  const narrowest = minSpan(lo, hi);
  if (hi - lo >= narrowest) return [lo, hi];
  if (lo < hi) {
    if (vmin != null) return [lo, lo + narrowest];
    if (vmax != null) return [hi - narrowest, hi];
    const middle = lo / 2 + hi / 2;
    return [middle - narrowest, middle + narrowest];
  }
  if (vmin == null && vmax == null) {
    const half = span(lo) / 2;
    return [lo - half, lo + half];
  }
  if (vmin == null) return [hi - span(hi), hi];
  return [lo, lo + span(lo)];
}

/**
 * The finite range of `values` (null when none is finite).
 * @param {ArrayLike<number>} values
 * @returns {Range | null}
 */
export function finiteRange(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v; // NaN compares false; infinities are left out below
    if (v > hi) hi = v;
  }
  if (lo === -Infinity || hi === Infinity) {
    lo = Infinity; hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * compare.py's _compare_auto: a view's automatic limits with a reference. `base` is the
 * data's automatic limits, `reference` the reference's finite range, `differenceTop`
 * the largest finite |data - reference| (null when none).
 * @param {string} view  'data', 'reference' or 'difference'
 * @param {Range} base
 * @param {Range | null} reference
 * @param {number | null} differenceTop
 * @returns {Range}
 */
export function viewAuto(view, base, reference, differenceTop) {
  if (view === 'difference') {
    const top = differenceTop ?? 0;
    return autoLimits([-top, top], null, null);
  }
  if (!reference) return base;
  return autoLimits([Math.min(base[0], reference[0]), Math.max(base[1], reference[1])], null, null);
}

/**
 * The limits part for vmin/vmax (null: automatic) over the automatic limits `auto`.
 * @param {Range | number[]} auto
 * @param {number | null} vmin
 * @param {number | null} vmax
 * @returns {PageLimits}
 */
export function limitsInForce(auto, vmin, vmax) {
  const [low, high] = autoLimits(auto, vmin, vmax);
  return { vmin, vmax, low, high, tick_format: tickFormat(low, high) };
}
