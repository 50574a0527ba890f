// @ts-check
// Comparing (compare.py): the page holds the data and the reference and works out what
// a view shows itself, so flipping views sends no maps. Each view's automatic limits
// and colormap come from Python (`compare.auto`, `compare.colormaps`).

/** @typedef {import('./state.js').PageState} PageState */

/** The views, in the order V steps through them (compare.py's SHOWING). */
export const VIEWS = ['data', 'reference', 'difference'];

/**
 * Whether the page holds a reference of the data's size.
 * @param {PageState} state
 */
export function comparing(state) {
  return !!(state.tensor && state.reference
    && state.reference.values.length === state.tensor.values.length);
}

/**
 * The values a grid shows: its data, the reference, or data - reference.
 * @param {PageState} state
 * @returns {Float32Array | Float64Array}
 */
export function shownValues(state) {
  if (!state.tensor) return new Float32Array(0);
  const data = state.tensor.values;
  const ref = comparing(state) && state.reference ? state.reference.values : null;
  if (!ref || state.showing === 'data') return data;
  if (state.showing === 'reference') return ref;
  const out = data instanceof Float64Array ? new Float64Array(data.length) : new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] - ref[i];
  return out;
}

/**
 * Index of cell (row, col) of panel p in a stack's values.
 * @param {number[]} shape
 * @param {number} p
 * @param {number} r
 * @param {number} c
 */
export function flatIndex(shape, p, r, c) {
  return (p * shape[1] + r) * shape[2] + c;
}

/**
 * The data's and the reference's value at a cell (NaN without them).
 * @param {PageState} state
 * @param {number} p
 * @param {number} r
 * @param {number} c
 * @returns {{data: number, reference: number}}
 */
export function bothValues(state, p, r, c) {
  if (!state.tensor) return { data: NaN, reference: NaN };
  const i = flatIndex(state.tensor.shape, p, r, c);
  return { data: state.tensor.values[i], reference: state.reference ? state.reference.values[i] : NaN };
}

/**
 * The value shown at a cell in the view shown.
 * @param {PageState} state
 * @param {number} p
 * @param {number} r
 * @param {number} c
 */
export function shownValue(state, p, r, c) {
  const { data, reference } = bothValues(state, p, r, c);
  if (!comparing(state) || state.showing === 'data') return data;
  return state.showing === 'reference' ? reference : data - reference;
}

/**
 * The view after `view` (V's order).
 * @param {string} view
 */
export function nextView(view) {
  return VIEWS[(VIEWS.indexOf(view) + 1) % VIEWS.length];
}
