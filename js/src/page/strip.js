// @ts-check
// Per-panel colour limits: each panel's scale strip, a thin bar of the colormap under
// its axis labels with the panel's low and high limits under its ends. The static
// picture draws the same strip (figure/scene.py's _strip; sizes from figure/layout.py's
// STRIP_*, in the layout's `strip`); the labels are Figure.strip_labels (golden cases in
// js/test/strip.test.mjs). The SVG renderer's strips are page elements placed in each
// panel's bottom margin (drawSvgStrips); the canvas draws them itself (paintStrip).

import { tickFormat, valueFormat, valueText } from './format.js';

/** @typedef {[number, number]} Range */

/**
 * A panel's strip labels: its low and high limits in its value format (one decimal
 * more than its tick format), as Figure.strip_labels writes them.
 * @param {Range | number[]} range
 * @returns {[string, string]}
 */
export function stripLabels(range) {
  const fmt = valueFormat(tickFormat(range[0], range[1]));
  return [valueText(range[0], fmt), valueText(range[1], fmt)];
}

/**
 * The CSS gradient of a strip: the colormap's stops left to right.
 * @param {string[]} stops
 */
export function stripGradient(stops) {
  return `linear-gradient(to right, ${(stops || []).join(', ')})`;
}

/**
 * @typedef {object} StripLayout  what placing a strip reads of the layout
 * @property {{height: number, gap: number, bar: number} | undefined} [strip]
 * @property {{top: number, bottom: number, left: number, right: number}} margin
 * @property {number} plot_width
 * @property {number} plot_height
 * @property {number} tick_font_px
 */

/**
 * Panel strips of the SVG renderer: one element per panel figure (`.dhg-p<i>` inside
 * `body`), placed in its bottom margin, or removed when the limits are shared.
 * @param {HTMLElement} body  the grid's drawing (.dhg-body)
 * @param {StripLayout} layout  the layout drawn (fitted, or Python's)
 * @param {Range[] | null | undefined} panels  each panel's limits in force
 * @param {string[]} stops
 */
export function drawSvgStrips(body, layout, panels, stops) {
  const strip = layout.strip;
  const existing = body.querySelectorAll('.dhg-strip');
  if (!strip || !panels || !panels.length) {
    existing.forEach((node) => node.remove());
    return;
  }
  // A repaint with the same limits, colours and layout (most data updates): nothing to do.
  const key = JSON.stringify([panels, stops, layout.margin, layout.plot_width, layout.plot_height, strip]);
  const drawn = /** @type {any} */ (body).dhgStrips;
  if (drawn && drawn.key === key && existing.length === panels.length
    && [...existing].every((node) => node.isConnected)) return;
  /** @type {any} */ (body).dhgStrips = { key };
  const gradient = stripGradient(stops);
  panels.forEach((range, index) => {
    const figure = /** @type {HTMLElement | null} */ (body.querySelector(`.dhg-panel.dhg-p${index}`));
    if (!figure) return;
    let node = /** @type {HTMLElement | null} */ (figure.querySelector(':scope > .dhg-strip'));
    if (!node) {
      node = document.createElement('div');
      node.className = 'dhg-strip';
      node.setAttribute('aria-hidden', 'true'); // the live region and summary say it
      const bar = document.createElement('div');
      bar.className = 'dhg-strip-bar';
      const low = document.createElement('span');
      low.className = 'dhg-strip-low';
      const high = document.createElement('span');
      high.className = 'dhg-strip-high';
      node.append(bar, low, high);
      if (getComputedStyle(figure).position === 'static') figure.style.position = 'relative';
      figure.append(node);
    }
    const top = layout.margin.top + layout.plot_height + layout.margin.bottom + strip.gap;
    Object.assign(node.style, {
      position: 'absolute', left: `${layout.margin.left}px`, top: `${top}px`,
      width: `${layout.plot_width}px`, height: `${strip.height - strip.gap}px`,
      pointerEvents: 'none', font: `${layout.tick_font_px}px sans-serif`, lineHeight: '1',
    });
    const [bar, low, high] = /** @type {HTMLElement[]} */ ([...node.children]);
    Object.assign(bar.style, {
      height: `${strip.bar}px`, background: gradient, boxSizing: 'border-box',
      border: '1px solid #bababa',
    });
    const [lowText, highText] = stripLabels(range);
    Object.assign(low.style, { position: 'absolute', left: '0px', top: `${strip.bar + 2}px` });
    Object.assign(high.style, { position: 'absolute', right: '0px', top: `${strip.bar + 2}px` });
    if (low.textContent !== lowText) low.textContent = lowText;
    if (high.textContent !== highText) high.textContent = highText;
  });
}

/**
 * A panel's strip on the canvas (in CSS px, the context scaled).
 * @param {CanvasRenderingContext2D} ctx
 * @param {number} x  the bar's left (the panel's cells' left)
 * @param {number} y  the bar's top
 * @param {number} width
 * @param {{bar: number}} strip
 * @param {number} fontPx
 * @param {string[]} stops
 * @param {Range | number[]} range
 * @param {string} ink  the labels' colour
 */
export function paintStrip(ctx, x, y, width, strip, fontPx, stops, range, ink) {
  const gradient = ctx.createLinearGradient(x, 0, x + width, 0);
  const n = stops.length;
  stops.forEach((stop, i) => gradient.addColorStop(n > 1 ? i / (n - 1) : 0, stop));
  ctx.fillStyle = gradient;
  ctx.fillRect(x, y, width, strip.bar);
  ctx.strokeStyle = '#bababa';
  ctx.lineWidth = 1;
  ctx.strokeRect(x + 0.5, y + 0.5, width - 1, strip.bar - 1);
  const [lowText, highText] = stripLabels(range);
  ctx.fillStyle = ink;
  ctx.font = `${fontPx}px sans-serif`;
  ctx.textBaseline = 'alphabetic';
  const baseline = y + strip.bar + 1 + fontPx;
  ctx.textAlign = 'left';
  ctx.fillText(lowText, x, baseline);
  ctx.textAlign = 'right';
  ctx.fillText(highText, x + width, baseline);
}
