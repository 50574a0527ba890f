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
 * @property {number[] | DataView} [panels]  per-panel limits: each panel's limits in force,
 *   flat (low, high of panel 0, then of panel 1...): from Python one little-endian float64
 *   buffer, from the page's own rule a list; panelPairs reads either
 * @property {number[] | DataView} [panel_auto]  their automatic limits, the same form
 *   (absent: the limits in force)
 */

/**
 * Per-panel limits in force as [low, high] pairs, or null with one shared scale.
 * @param {{panels?: number[] | DataView}} limits
 * @returns {Range[] | null}
 */
export function panelPairs(limits) {
  const flat = limits ? floats(limits.panels) : null;
  return flat && flat.length ? pairs(flat) : null;
}

/**
 * Per-panel automatic limits as pairs (Python leaves them out when they are the limits in
 * force), or null with one shared scale.
 * @param {{panels?: number[] | DataView, panel_auto?: number[] | DataView}} limits
 * @returns {Range[] | null}
 */
export function panelAutoPairs(limits) {
  if (!panelPairs(limits)) return null;
  return pairs(/** @type {ArrayLike<number>} */ (floats(limits.panel_auto) || floats(limits.panels)));
}

/**
 * A flat list of floats as Python sends it (a DataView of little-endian float64) or as
 * the page makes it (a list); null for none.
 * @param {number[] | DataView | undefined | null} value
 * @returns {ArrayLike<number> | null}
 */
function floats(value) {
  if (!value) return null;
  if (Array.isArray(value)) return value;
  const view = /** @type {DataView} */ (value);
  const bytes = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength); // aligned copy
  return new Float64Array(bytes);
}

/** @param {ArrayLike<number>} flat @returns {Range[]} */
function pairs(flat) {
  /** @type {Range[]} */
  const out = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

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
 * The limits part for vmin/vmax (null: automatic) over the automatic limits `auto`; with
 * per-panel limits (`panelAuto`, each panel's automatic limits), each panel's limits in
 * force by the same rule (grid.py's _panel_in_force).
 * @param {Range | number[]} auto
 * @param {number | null} vmin
 * @param {number | null} vmax
 * @param {(Range | number[])[] | null} [panelAuto]
 * @returns {PageLimits}
 */
export function limitsInForce(auto, vmin, vmax, panelAuto) {
  const [low, high] = autoLimits(auto, vmin, vmax);
  /** @type {PageLimits} */
  const out = { vmin, vmax, low, high, tick_format: tickFormat(low, high) };
  if (panelAuto) {
    out.panels = panelAuto.flatMap((pair) => autoLimits(pair, vmin, vmax));
    out.panel_auto = panelAuto.flatMap((pair) => [pair[0], pair[1]]);
  }
  return out;
}

/**
 * Per-panel automatic limits of maps the page shows by itself (a frame without a
 * kernel, another view): compare.py's _panel_auto, the shared rule applied to each
 * panel alone. `values` are the maps shown (count panels of `size` values); with a
 * reference, `view` 'data' or 'reference' widens each panel to the data's and the
 * reference's ranges (`data`, `reference`), and 'difference' is symmetric about 0 at
 * that panel's largest magnitude.
 * @param {ArrayLike<number>} values
 * @param {number} count
 * @param {string} [view]
 * @param {ArrayLike<number> | null} [data]
 * @param {ArrayLike<number> | null} [reference]
 * @returns {Range[]}
 */
export function panelAuto(values, count, view = 'data', data = null, reference = null) {
  const size = count ? values.length / count : 0;
  /** @type {Range[]} */
  const out = [];
  for (let p = 0; p < count; p++) {
    const part = (/** @type {ArrayLike<number>} */ a) => (
      'subarray' in a ? /** @type {Float64Array} */ (a).subarray(p * size, (p + 1) * size)
        : Array.prototype.slice.call(a, p * size, (p + 1) * size));
    const own = finiteRange(part(values));
    if (reference && view === 'difference') {
      const top = own ? Math.max(Math.abs(own[0]), Math.abs(own[1])) : 0;
      out.push(autoLimits([-top, top], null, null));
    } else if (reference) {
      const a = data ? finiteRange(part(data)) : own;
      const b = finiteRange(part(reference));
      const both = a && b ? [Math.min(a[0], b[0]), Math.max(a[1], b[1])] : a || b;
      out.push(autoLimits(both, null, null));
    } else {
      out.push(autoLimits(own, null, null));
    }
  }
  return out;
}
