// @ts-check
// The canvas renderer's rules without the DOM: its values, its colour stops, how cells
// are coloured into the mosaic (one pixel per cell), and where a panel sits in device
// pixels. canvas.js draws with them; js/test/canvas-draw.test.mjs checks them.

import { panelOrigin } from './geometry.js';

/** @typedef {import('./geometry.js').PageLayout} PageLayout */

export const MOSAIC_MAX_ROWS = 16384; // keep the mosaic canvas well inside browser limits
export const CANVAS_MAX_SIDE = 32767; // Chromium's largest canvas side, device px
export const CANVAS_MAX_AREA = 268435456; // Chromium's largest canvas area, device px

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The values to draw: the typed array the grid's controller sets (Float32Array or
 * Float64Array, kept as they are), or float32 bytes (DataView, ArrayBuffer).
 * @param {unknown} raw
 * @returns {Float32Array | Float64Array}
 */
export function toValues(raw) {
  if (!raw) return new Float32Array(0);
  if (raw instanceof Float32Array || raw instanceof Float64Array) return raw;
  let buffer;
  let offset;
  let length;
  if (raw instanceof ArrayBuffer) {
    [buffer, offset, length] = [raw, 0, raw.byteLength];
  } else if (ArrayBuffer.isView(raw)) {
    [buffer, offset, length] = [raw.buffer, raw.byteOffset, raw.byteLength];
  } else {
    return new Float32Array(0);
  }
  const n = Math.floor(length / 4);
  if (!LITTLE_ENDIAN) {
    const view = new DataView(buffer, offset, length);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  if (offset % 4 === 0) return new Float32Array(buffer, offset, n);
  return new Float32Array(buffer.slice(offset, offset + 4 * n)); // unaligned: copy once
}

/**
 * '#rrggbb' stops -> flat [r0, g0, b0, r1, ...] (black to white without two stops).
 * @param {unknown} stops
 * @returns {Float64Array}
 */
export function parseStops(stops) {
  const list = Array.isArray(stops) && stops.length >= 2 ? stops : ['#000000', '#ffffff'];
  const out = new Float64Array(3 * list.length);
  list.forEach((s, i) => {
    const hex = /^#([0-9a-f]{6})$/i.exec(String(s));
    const n = hex ? parseInt(hex[1], 16) : 0;
    out[3 * i] = (n >> 16) & 255;
    out[3 * i + 1] = (n >> 8) & 255;
    out[3 * i + 2] = n & 255;
  });
  return out;
}

/**
 * @typedef {object} Mosaic  how panels sit in the mosaic: stacked vertically, in
 *   several stacks side by side if very tall
 * @property {number} count
 * @property {number} rows
 * @property {number} cols
 * @property {number} perStack  panels per stack
 * @property {number} stacks
 * @property {number} width  in cells (px of the mosaic)
 * @property {number} height
 */

/**
 * @param {number} count
 * @param {number} rows
 * @param {number} cols
 * @returns {Mosaic}
 */
export function mosaicLayout(count, rows, cols) {
  const perStack = Math.max(1, Math.floor(MOSAIC_MAX_ROWS / Math.max(1, rows)));
  const stacks = Math.max(1, Math.ceil(count / perStack));
  return { count, rows, cols, perStack, stacks, width: cols * stacks, height: rows * Math.min(count, perStack) };
}

/**
 * Colour every value into RGBA pixels of the mosaic: NaN in `nan`, the others clamped
 * to [vmin, vmax] and interpolated linearly between evenly spaced stops (as bqplot's
 * ColorScale). False (nothing drawn) when the values are not the mosaic's cells.
 * @param {Uint8ClampedArray} data  the mosaic's pixels, `mosaic.width` wide
 * @param {ArrayLike<number>} values
 * @param {Mosaic} mosaic
 * @param {Float64Array} stops  from parseStops
 * @param {number} vmin
 * @param {number} vmax
 * @param {number[]} nan  [r, g, b, a], 0..255
 * @param {number[][] | null} [panelLimits]  per-panel limits: panel p's [vmin, vmax]
 */
export function paintMosaic(data, values, mosaic, stops, vmin, vmax, nan, panelLimits) {
  const { rows, cols, count, perStack, width: stride } = mosaic;
  if (values.length !== count * rows * cols) {
    data.fill(0);
    return false;
  }
  const last = stops.length / 3 - 1;
  let span = vmax - vmin;
  let toPos = span > 0 ? last / span : 0;
  const [nr, ng, nb, na] = nan;
  let src = 0;
  for (let p = 0; p < count; p++) {
    const own = panelLimits && panelLimits[p];
    if (own) { // this panel's own scale
      vmin = own[0];
      span = own[1] - own[0];
      toPos = span > 0 ? last / span : 0;
    }
    const x0 = Math.floor(p / perStack) * cols;
    const y0 = (p % perStack) * rows;
    for (let r = 0; r < rows; r++) {
      let o = 4 * ((y0 + r) * stride + x0);
      for (let c = 0; c < cols; c++, src++, o += 4) {
        const v = values[src];
        if (v !== v) { // NaN
          data[o] = nr; data[o + 1] = ng; data[o + 2] = nb; data[o + 3] = na;
          continue;
        }
        const pos = span > 0 ? (v - vmin) * toPos : last / 2;
        let i;
        let f;
        if (pos <= 0) { i = 0; f = 0; } else if (pos >= last) { i = last - 1; f = 1; } else {
          i = Math.floor(pos); f = pos - i;
        }
        const k = 3 * i;
        data[o] = stops[k] + f * (stops[k + 3] - stops[k]) + 0.5;
        data[o + 1] = stops[k + 1] + f * (stops[k + 4] - stops[k + 1]) + 0.5;
        data[o + 2] = stops[k + 2] + f * (stops[k + 5] - stops[k + 2]) + 0.5;
        data[o + 3] = 255;
      }
    }
  }
  return true;
}

/**
 * The device scale of the canvas: the screen's, less where Chromium's largest canvas
 * would be exceeded.
 * @param {number} width
 * @param {number} height
 * @param {number} dpr
 */
export function deviceScale(width, height, dpr) {
  const area = Math.max(1, width * height);
  return Math.min(dpr, CANVAS_MAX_SIDE / Math.max(1, width), CANVAS_MAX_SIDE / Math.max(1, height),
    Math.sqrt(CANVAS_MAX_AREA / area));
}

/**
 * A panel's box in device pixels, rounded outwards (panels never share a pixel).
 * @param {PageLayout} g
 * @param {number} p
 * @param {number} scale
 * @returns {[number, number, number, number]}
 */
export function deviceBox(g, p, scale) {
  const [ox, oy] = panelOrigin(g, p);
  const x0 = Math.floor(ox * scale);
  const y0 = Math.floor(oy * scale);
  return [x0, y0, Math.ceil((ox + g.panel_width) * scale) - x0, Math.ceil((oy + g.panel_height) * scale) - y0];
}
