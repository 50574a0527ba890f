// @ts-check
// CanvasGrid's view (anywidget): the (N, H, W) stack drawn on one <canvas>. Built by
// js/build.mjs into digitheat_widget/static/canvas.js, which live/canvas.py serves.
//
// It draws the same picture as the SVG renderer (bqplot GridHeatMap panels, see
// digitheat_widget/live/svg.py) at the geometry of the figure model (figure/layout.py,
// geometry.js): panels in rows of `columns`, gap_x / gap_y apart. Inside a panel, like
// bqplot's axes (d3): a left and a bottom axis line with 6 px outer ticks, a 6 px tick and
// a label at the centre of each ticked row/column, labels 9 px from the axis (dy 0.32em /
// 0.71em), and the title centred above the plot area with its baseline at
// margin.top/2 + 1em from the panel top.
//
// How it stays fast at 100 x 28 x 28 (78,400 cells):
//   * values arrive as one float32 buffer; each cell's colour is computed once into an
//     ImageData with one pixel per cell (the "mosaic", canvas-draw.js), then every panel
//     is one drawImage() of its part of the mosaic scaled up to cell px, without smoothing;
//   * axes, tick labels and titles live on an off-screen "static" canvas that is redrawn
//     only when the geometry, the theme, a label or a highlight changes;
//   * every trait marks what it invalidates; one flush per message (a microtask) redraws
//     only that.
//
// Clicks are dispatched as a 'digitheat:canvas-click' DOM event for the grid's controller
// (keyboard.js); the tooltip asks it what to add by a 'digitheat:canvas-hover' event, and
// the drawing what columns and cell the page fitted the grid to by 'digitheat:canvas-fit'
// (fit.js, which says 'digitheat:fit' when they change).
//
// Labels are user text: they are only ever drawn with fillText or set as textContent /
// a title attribute, never parsed as HTML.

import {
  deviceBox, deviceScale, mosaicLayout, paintMosaic, parseStops, toValues,
} from './canvas-draw.js';
import { tickFormat, valueFormat, valueText } from './format.js';
import { paintStrip } from './strip.js';
import { hit, layoutAt, panelOrigin } from './geometry.js';

/** @typedef {import('./geometry.js').PageLayout} PageLayout */
/** @typedef {import('./compat.js').Model} Model */

const DRAW_MEASURE = 'dhg-canvas-draw'; // performance.measure() name of the last redraw

/** Any CSS colour -> [r, g, b, a 0..255], as the browser understands it. */
let colourProbe = /** @type {CanvasRenderingContext2D | null} */ (null);
/** @param {unknown} css */
function cssRGBA(css) {
  colourProbe = colourProbe || /** @type {CanvasRenderingContext2D} */ (document.createElement('canvas').getContext('2d'));
  colourProbe.fillStyle = '#000000';
  colourProbe.fillStyle = String(css);
  const s = String(colourProbe.fillStyle); // normalised: '#rrggbb' or 'rgba(r, g, b, a)'
  if (s[0] === '#') {
    const n = parseInt(s.slice(1, 7), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 255];
  }
  const m = s.match(/[\d.]+/g) || ['0', '0', '0', '1'];
  const a = m.length > 3 ? parseFloat(m[3]) : 1;
  return [+m[0], +m[1], +m[2], Math.round(a * 255)];
}

/**
 * @typedef {object} Drawn  what the canvas is drawn at
 * @property {PageLayout} layout
 * @property {number} count
 * @property {number} rows
 * @property {number} cols
 * @property {number} width
 * @property {number} height
 * @property {number} scale  device px per CSS px
 * @property {boolean} empty
 * @property {import('./canvas-draw.js').Mosaic} mosaic
 */

/** @param {{model: Model, el: HTMLElement}} args */
function render({ model, el }) {
  const root = document.createElement('div');
  root.className = 'dhg-canvas';
  Object.assign(root.style, { position: 'relative', lineHeight: '0', overflow: 'visible' });
  const canvas = document.createElement('canvas');
  canvas.style.display = 'block';
  canvas.setAttribute('role', 'img');
  const tooltip = document.createElement('div');
  tooltip.className = 'dhg-canvas-tooltip';
  Object.assign(tooltip.style, {
    position: 'absolute', display: 'none', pointerEvents: 'none', zIndex: '10',
    whiteSpace: 'nowrap', lineHeight: 'normal', font: '12px sans-serif',
    padding: '3px 6px', borderRadius: '2px',
    background: 'var(--jp-layout-color0, white)',
    color: 'var(--jp-ui-font-color1, #333)',
    border: '1px solid var(--jp-border-color1, #bdbdbd)',
    boxShadow: '0 1px 3px rgba(0, 0, 0, 0.2)',
  });
  root.append(canvas, tooltip);
  el.append(root);

  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  const staticCanvas = document.createElement('canvas'); // axes, ticks, titles
  const staticCtx = /** @type {CanvasRenderingContext2D} */ (staticCanvas.getContext('2d'));
  const mosaic = document.createElement('canvas'); // one pixel per cell
  const mosaicCtx = /** @type {CanvasRenderingContext2D} */ (mosaic.getContext('2d'));
  /** @type {ImageData | null} */
  let mosaicImage = null;

  // ---------------------------------------------------------------- state

  /** @type {Drawn} */
  let g = readGeometry();
  let theme = readTheme();
  let values = toValues(model.get('values'));
  /** @type {{digit: number, row: number, col: number, x: number, y: number} | null} */
  let hover = null; // while the pointer is over a cell
  /** @type {number[]} */
  let drawnSelected = [];
  /** @type {Set<number>} */
  let drawnHighlighted = new Set();

  /** @type {{layout: boolean, colors: boolean, statics: boolean, panels: Set<number>}} */
  const dirty = { layout: true, colors: true, statics: false, panels: new Set() };
  let flushQueued = false;

  function schedule() {
    if (flushQueued) return;
    flushQueued = true;
    queueMicrotask(flush); // every trait of one message -> one redraw, before the next frame
  }

  /** The columns and cell the grid's controller fitted this display to (fit.js), asked
   *  by an event that bubbles up to it; null: the figure's own, or not in a grid yet.
   *  @returns {{columns: number, cell: number} | null} */
  function askFit() {
    const ask = new CustomEvent('digitheat:canvas-fit', { bubbles: true, detail: { columns: 0, cell: 0 } });
    root.dispatchEvent(ask);
    const { columns, cell } = ask.detail;
    return columns > 0 && cell > 0 ? { columns, cell } : null;
  }

  /** @returns {Drawn} */
  function readGeometry() {
    // Every size comes from the figure model (digitheat_widget/figure/layout.py), at the
    // columns and cell the page fitted it to: only the device scale and the mosaic's
    // arrangement are worked out here.
    /** @type {PageLayout} */
    const figure = model.get('geometry') || {};
    const fitted = figure.margin ? askFit() : null;
    const f = fitted ? layoutAt(figure, fitted.columns, fitted.cell) : figure;
    const count = f.count | 0;
    const rows = f.rows | 0;
    const cols = f.cols | 0;
    const empty = !count || !rows || !cols || !f.margin;
    const width = empty ? 0 : f.width;
    const height = empty ? 0 : f.height;
    const layout = { ...f, columns: Math.max(1, f.columns | 0) };
    return {
      layout, count, rows, cols, width, height, empty,
      scale: deviceScale(width, height, window.devicePixelRatio || 1),
      mosaic: mosaicLayout(count, rows, cols),
    };
  }

  function readTheme() {
    const style = getComputedStyle(root.isConnected ? root : document.body);
    /** @type {(name: string, fallback: string) => string} */
    const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
    return {
      text: read('--jp-ui-font-color1', '#333'),
      // bqplot draws tick labels and axis lines in the secondary content colour.
      tick: read('--jp-content-font-color2', 'rgba(0, 0, 0, 0.54)'),
      background: read('--jp-layout-color0', 'white'),
    };
  }

  /** @param {number} p */
  function labelOf(p) {
    const labels = g.layout.labels || [];
    return p < labels.length ? String(labels[p]) : String(p);
  }

  function highlightedSet() {
    return new Set((model.get('highlighted') || []).filter((/** @type {number} */ i) => i >= 0 && i < g.count));
  }

  // ---------------------------------------------------------------- drawing

  function resize() {
    const w = Math.max(0, Math.round(g.width * g.scale));
    const h = Math.max(0, Math.round(g.height * g.scale));
    for (const c of [canvas, staticCanvas]) {
      if (c.width !== w) c.width = w;
      if (c.height !== h) c.height = h;
    }
    canvas.setAttribute('aria-label', `${g.count} heatmaps of ${g.rows} by ${g.cols} cells`);
    canvas.style.width = `${g.width}px`;
    canvas.style.height = `${g.height}px`;
    root.style.width = `${g.width}px`;
    root.style.height = `${g.height}px`;
    const { width: mw, height: mh } = g.mosaic;
    if (mosaic.width !== mw || mosaic.height !== mh) {
      mosaic.width = mw;
      mosaic.height = mh;
    }
    mosaicImage = mw > 0 && mh > 0 ? mosaicCtx.createImageData(mw, mh) : null;
  }

  /** Axes, tick labels and title of panel p on the static canvas.
   * @param {number} p
   * @param {boolean} emphasised */
  function drawStaticPanel(p, emphasised) {
    const c = staticCtx;
    const L = g.layout;
    const [ox, oy] = panelOrigin(L, p);
    const px0 = ox + L.margin.left;
    const py0 = oy + L.margin.top;
    const [dx, dy, dw, dh] = deviceBox(L, p, g.scale);
    const tickSize = L.tick_length;
    c.setTransform(1, 0, 0, 1, 0, 0);
    c.clearRect(dx, dy, dw, dh);
    c.setTransform(g.scale, 0, 0, g.scale, 0, 0);
    c.save();
    c.beginPath();
    c.rect(ox, oy, L.panel_width, L.panel_height);
    c.clip();
    // Plot-area background: shows through dimmed cells and see-through NaN colours.
    c.fillStyle = theme.background;
    c.fillRect(px0, py0, L.plot_width, L.plot_height);
    // Axis lines with outer ticks, as d3 draws them (0.5 px offsets: crisp 1 px lines).
    c.strokeStyle = theme.tick;
    c.lineWidth = 1;
    c.beginPath();
    const bottom = py0 + L.plot_height;
    c.moveTo(px0 + 0.5, bottom + tickSize);
    c.lineTo(px0 + 0.5, bottom + 0.5);
    c.lineTo(px0 + L.plot_width + 0.5, bottom + 0.5);
    c.lineTo(px0 + L.plot_width + 0.5, bottom + tickSize);
    c.moveTo(px0 - tickSize, bottom + 0.5);
    c.lineTo(px0 + 0.5, bottom + 0.5);
    c.lineTo(px0 + 0.5, py0 + 0.5);
    c.lineTo(px0 - tickSize, py0 + 0.5);
    c.stroke();
    // Ticks at the centre of each labelled column / row, then their labels.
    const xTicks = (L.x_ticks || []).filter((col) => col >= 0 && col < g.cols);
    const yTicks = (L.y_ticks || []).filter((row) => row >= 0 && row < g.rows);
    c.beginPath();
    for (const col of xTicks) {
      const x = px0 + (col + 0.5) * L.cell;
      c.moveTo(x, bottom);
      c.lineTo(x, bottom + tickSize);
    }
    for (const row of yTicks) {
      const y = py0 + (row + 0.5) * L.cell;
      c.moveTo(px0, y);
      c.lineTo(px0 - tickSize, y);
    }
    c.stroke();
    c.fillStyle = theme.tick;
    c.font = `${L.tick_font_px}px sans-serif`;
    c.textBaseline = 'alphabetic';
    c.textAlign = 'center';
    const labelY = bottom + tickSize + L.tick_padding + 0.71 * L.tick_font_px;
    for (const col of xTicks) c.fillText(String(col), px0 + (col + 0.5) * L.cell, labelY);
    c.textAlign = 'right';
    for (const row of yTicks) {
      c.fillText(String(row), px0 - tickSize - L.tick_padding, py0 + (row + 0.5) * L.cell + 0.32 * L.tick_font_px);
    }
    // Title: centred over the plot area, baseline at margin.top / 2 + 1em.
    c.fillStyle = theme.text;
    c.font = `${emphasised ? 'bold ' : ''}${L.title_font_px}px sans-serif`;
    c.textAlign = 'center';
    c.fillText(labelOf(p), px0 + L.plot_width / 2, oy + L.margin.top / 2 + L.title_font_px);
    const own = model.get('panel_limits') || [];
    if (L.strip && own[p]) { // per-panel limits: the panel's scale strip under its axis
      paintStrip(c, px0, py0 + L.plot_height + L.margin.bottom + L.strip.gap, L.plot_width,
        L.strip, L.tick_font_px, model.get('stops') || [], own[p], theme.tick);
    }
    c.restore();
  }

  /** Colour every value into the mosaic (one pixel per cell). */
  function recolour() {
    if (!mosaicImage) return;
    const own = model.get('panel_limits') || [];
    paintMosaic(mosaicImage.data, values, g.mosaic, parseStops(model.get('stops')),
      +model.get('vmin'), +model.get('vmax'), cssRGBA(model.get('nan_color')),
      own.length === g.count ? own : null);
    mosaicCtx.putImageData(mosaicImage, 0, 0);
  }

  /** Cells and overlays of panel p, over what is already on the canvas.
   * @param {number} p
   * @param {Set<number>} chosen
   * @param {number[] | null} selected */
  function drawPanelTop(p, chosen, selected) {
    const L = g.layout;
    const [ox, oy] = panelOrigin(L, p);
    const px0 = ox + L.margin.left;
    const py0 = oy + L.margin.top;
    ctx.globalAlpha = chosen.size && !chosen.has(p) ? L.dimmed_opacity : 1;
    const { perStack } = g.mosaic;
    ctx.drawImage(mosaic, Math.floor(p / perStack) * g.cols, (p % perStack) * g.rows,
      g.cols, g.rows, px0, py0, L.plot_width, L.plot_height);
    if (selected && selected[0] === p) {
      ctx.strokeStyle = L.selected_color;
      ctx.lineWidth = 3;
      ctx.strokeRect(px0 + selected[2] * L.cell, py0 + selected[1] * L.cell, L.cell, L.cell);
    }
    ctx.globalAlpha = 1;
    if (chosen.has(p)) { // the accent outline inside the panel's box
      const w = L.highlight_width;
      ctx.strokeStyle = L.accent_color;
      ctx.lineWidth = w;
      ctx.strokeRect(ox + w / 2, oy + w / 2, L.panel_width - w, L.panel_height - w);
    }
  }

  /** @param {number[] | null} panels */
  function compose(panels) {
    const chosen = highlightedSet();
    const sel = model.get('selected') || [];
    const selected = sel.length === 3 && sel[0] < g.count && sel[1] < g.rows && sel[2] < g.cols
      ? sel : null;
    ctx.imageSmoothingEnabled = false;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    if (panels === null) {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      if (canvas.width && canvas.height) ctx.drawImage(staticCanvas, 0, 0);
    } else {
      for (const p of panels) {
        const [dx, dy, dw, dh] = deviceBox(g.layout, p, g.scale);
        ctx.clearRect(dx, dy, dw, dh);
        if (dw > 0 && dh > 0) ctx.drawImage(staticCanvas, dx, dy, dw, dh, dx, dy, dw, dh);
      }
    }
    ctx.setTransform(g.scale, 0, 0, g.scale, 0, 0);
    const list = panels === null ? [...Array(g.count).keys()] : panels;
    for (const p of list) drawPanelTop(p, chosen, selected);
    drawnSelected = selected ? [...selected] : [];
  }

  function flush() {
    flushQueued = false;
    const started = performance.now();
    draw();
    // One User Timing entry, replaced each time (never accumulates): how long the last
    // redraw of any CanvasGrid took, for tests and for the browser's performance panel.
    performance.clearMeasures(DRAW_MEASURE);
    performance.measure(DRAW_MEASURE, { start: started, end: performance.now() });
  }

  function draw() {
    if (dirty.layout) {
      g = readGeometry();
      theme = readTheme();
      resize();
      dirty.colors = true;
    }
    if (g.empty) {
      dirty.layout = false;
      dirty.panels.clear();
      return;
    }
    let all = false;
    if (dirty.layout || dirty.statics) { // the strips are drawn with the axes, once
      const chosen = highlightedSet();
      for (let p = 0; p < g.count; p++) drawStaticPanel(p, chosen.has(p));
      drawnHighlighted = chosen;
      all = true;
    }
    if (dirty.colors) {
      recolour();
      all = true;
    }
    if (all) {
      compose(null);
    } else if (dirty.panels.size) {
      compose([...dirty.panels].filter((p) => p >= 0 && p < g.count));
    }
    dirty.layout = false;
    dirty.colors = false;
    dirty.statics = false;
    dirty.panels.clear();
    if (hover) showTooltip(hover.x, hover.y); // the value under the pointer may have changed
  }

  // ---------------------------------------------------------------- trait changes

  /** @type {Record<string, () => void>} */
  const handlers = {};
  /** @type {(names: string, fn: () => void) => void} */
  const on = (names, fn) => {
    for (const name of names.split(' ')) {
      handlers[`change:${name}`] = fn;
      model.on(`change:${name}`, fn);
    }
  };
  on('geometry', () => {
    dirty.layout = true;
    schedule();
  });
  // The controller fitted the grid to another width (fit.js).
  const onFit = () => {
    dirty.layout = true;
    schedule();
  };
  root.addEventListener('digitheat:fit', onFit);
  on('values', () => {
    values = toValues(model.get('values'));
    dirty.colors = true;
    schedule();
  });
  on('vmin vmax stops nan_color panel_limits', () => {
    // Per-panel limits: the strips (on the axes' layer) show the limits and colours.
    if (g && g.layout && g.layout.strip) dirty.statics = true;
    dirty.colors = true;
    schedule();
  });
  on('highlighted', () => {
    if (dirty.layout) return schedule();
    const chosen = highlightedSet();
    const wasDimming = drawnHighlighted.size > 0;
    const dimming = chosen.size > 0;
    for (let p = 0; p < g.count; p++) {
      const changed = chosen.has(p) !== drawnHighlighted.has(p);
      if (changed) drawStaticPanel(p, chosen.has(p)); // bold title or not
      if (changed || wasDimming !== dimming) dirty.panels.add(p); // opacity, outline
    }
    drawnHighlighted = chosen;
    return schedule();
  });
  on('selected', () => {
    if (dirty.layout) return schedule();
    for (const sel of [drawnSelected, model.get('selected') || []]) {
      if (sel.length === 3) dirty.panels.add(sel[0]);
    }
    return schedule();
  });
  on('value_format', () => {
    if (hover) showTooltip(hover.x, hover.y);
  });

  // Theme switches (JupyterLab sets these attributes on <body>; an exported page
  // follows the system's light or dark preference) and screen changes.
  const onThemeChange = () => {
    const next = readTheme();
    if (JSON.stringify(next) !== JSON.stringify(theme)) {
      dirty.layout = true;
      schedule();
    }
  };
  const themeObserver = new MutationObserver(onThemeChange);
  themeObserver.observe(document.body, {
    attributes: true, attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light'],
  });
  const schemeQuery = window.matchMedia('(prefers-color-scheme: dark)');
  schemeQuery.addEventListener('change', onThemeChange);
  /** @type {MediaQueryList | null} */
  let dprQuery = null;
  const onDpr = () => {
    watchDpr();
    dirty.layout = true;
    schedule();
  };
  function watchDpr() {
    if (dprQuery) dprQuery.removeEventListener('change', onDpr);
    dprQuery = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    dprQuery.addEventListener('change', onDpr);
  }
  watchDpr();
  // Drawn before the view is attached, the theme was read from <body>: check once
  // attached, in case the widget sits somewhere with its own colours.
  /** @type {number | null} */
  let attachFrame = requestAnimationFrame(function checkAttached() {
    if (!root.isConnected) {
      attachFrame = requestAnimationFrame(checkAttached);
      return;
    }
    attachFrame = null;
    onThemeChange();
    // Drawn before it was attached, it could not ask for the fitted layout.
    const fitted = askFit();
    if (fitted && (fitted.columns !== g.layout.columns || fitted.cell !== g.layout.cell)) onFit();
  });

  // ---------------------------------------------------------------- pointer

  /** What is under canvas point (x, y) in CSS px: a cell, a title, or null.
   * @param {number} x
   * @param {number} y */
  function target(x, y) {
    return g.empty ? null : hit(g.layout, x, y);
  }

  /** @param {MouseEvent} event @returns {[number, number]} */
  function pointer(event) {
    const box = canvas.getBoundingClientRect();
    const sx = box.width ? g.width / box.width : 1;
    const sy = box.height ? g.height / box.height : 1;
    return [(event.clientX - box.left) * sx, (event.clientY - box.top) * sy];
  }

  /** @param {number} x @param {number} y */
  function showTooltip(x, y) {
    const at = target(x, y);
    if (!at || at.kind !== 'cell') {
      hover = null;
      tooltip.style.display = 'none';
      return;
    }
    const { digit, row, col } = at;
    const value = values[(digit * g.rows + row) * g.cols + col];
    // The grid's controller may name the value and add to it (comparing: both values),
    // answering this event synchronously as it bubbles up the grid.
    const ask = new CustomEvent('digitheat:canvas-hover', {
      bubbles: true, detail: { digit, row, col, name: 'value', extra: '' },
    });
    root.dispatchEvent(ask);
    const own = (model.get('panel_limits') || [])[digit];
    const fmt = own ? valueFormat(tickFormat(own[0], own[1])) : model.get('value_format');
    tooltip.textContent = `${labelOf(digit)} · row ${row}, column ${col}, ${ask.detail.name} ${
      valueText(value, fmt)}${ask.detail.extra}`;
    tooltip.style.display = 'block';
    // Beside the pointer, flipped to the other side near the right / bottom edge.
    const w = tooltip.offsetWidth;
    const h = tooltip.offsetHeight;
    let left = x + 12;
    let top = y + 12;
    if (left + w > g.width && x - 12 - w >= 0) left = x - 12 - w;
    if (top + h > g.height && y - 12 - h >= 0) top = y - 12 - h;
    tooltip.style.left = `${left}px`;
    tooltip.style.top = `${top}px`;
    hover = { digit, row, col, x, y };
  }

  /** @param {MouseEvent} event */
  function onMove(event) {
    const [x, y] = pointer(event);
    showTooltip(x, y);
    const at = target(x, y);
    const overTitle = at && at.kind === 'title';
    canvas.style.cursor = overTitle ? 'pointer' : '';
    if (at && at.kind === 'title') {
      canvas.setAttribute('title', (g.layout.title_tooltips || [])[at.digit] || labelOf(at.digit));
    } else if (canvas.hasAttribute('title')) {
      canvas.removeAttribute('title');
    }
  }

  function onLeave() {
    hover = null;
    tooltip.style.display = 'none';
    canvas.style.cursor = '';
  }

  /** @param {MouseEvent} event */
  function onClick(event) {
    const [x, y] = pointer(event);
    const at = target(x, y);
    if (!at) return;
    // The grid's controller (its view, in the same grid) handles what a click means.
    // A DOM event, not a message: anywidget binds a view's model.send when the view is
    // made, so a message could not be caught on its way out as bqplot's are.
    root.dispatchEvent(new CustomEvent('digitheat:canvas-click', { bubbles: true, detail: { ...at } }));
  }

  canvas.addEventListener('mousemove', onMove);
  canvas.addEventListener('mouseleave', onLeave);
  canvas.addEventListener('click', onClick);

  flush(); // first paint now, while the view is being created

  return () => {
    for (const [name, fn] of Object.entries(handlers)) if (model.off) model.off(name, fn);
    themeObserver.disconnect();
    schemeQuery.removeEventListener('change', onThemeChange);
    if (dprQuery) dprQuery.removeEventListener('change', onDpr);
    if (attachFrame !== null) cancelAnimationFrame(attachFrame);
    canvas.removeEventListener('mousemove', onMove);
    canvas.removeEventListener('mouseleave', onLeave);
    canvas.removeEventListener('click', onClick);
    root.removeEventListener('digitheat:fit', onFit);
    root.remove();
  };
}

export default { render };
