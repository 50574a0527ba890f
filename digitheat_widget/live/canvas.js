// CanvasGrid's view (anywidget ESM): the (N, H, W) stack drawn on one <canvas>.
//
// It draws the same picture as the SVG renderer (bqplot GridHeatMap panels, see
// digitheat_widget/live/svg.py) at the geometry of the figure model (figure/layout.py):
//   panel = margin.left + W*cell + margin.right wide, margin.top + H*cell + margin.bottom
//   tall; panels in rows of `columns`, gap_x / gap_y apart.
//   Inside a panel, like bqplot's axes (d3): a left and a bottom axis line with 6 px outer
//   ticks, a 6 px tick and a label at the centre of each ticked row/column, labels 9 px
//   from the axis (dy 0.32em / 0.71em), and the title centred above the plot area with its
//   baseline at margin.top/2 + 1em from the panel top.
//
// How it stays fast at 100 x 28 x 28 (78,400 cells):
//   * values arrive as one float32 buffer; each cell's colour is computed once into an
//     ImageData with one pixel per cell (the "mosaic"), then every panel is one
//     drawImage() of its part of the mosaic scaled up to cell px, without smoothing;
//   * axes, tick labels and titles live on an off-screen "static" canvas that is redrawn
//     only when the geometry, the theme, a label or a highlight changes;
//   * every trait marks what it invalidates; one flush per message (a microtask) redraws
//     only that: a new selection recomposes two panels, a new label one, new values or
//     limits recolour the mosaic and recompose the panels.
//
// Clicks are dispatched as a 'digitheat:canvas-click' DOM event for the grid's controller.
//
// Labels are user text: they are only ever drawn with fillText or set as textContent /
// a title attribute, never parsed as HTML.

const MOSAIC_MAX_ROWS = 16384; // keep the mosaic canvas well inside browser limits
const CANVAS_MAX_SIDE = 32767; // Chromium's largest canvas side, device px
const CANVAS_MAX_AREA = 268435456; // Chromium's largest canvas area, device px

const DRAW_MEASURE = 'dhg-canvas-draw'; // performance.measure() name of the last redraw

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function px(font, fallback) {
  const value = parseFloat(font);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** The values to draw: the typed array the grid's controller sets (Float32Array or
 *  Float64Array, kept as they are), or float32 bytes (DataView, ArrayBuffer). */
function toValues(raw) {
  if (!raw) return new Float32Array(0);
  if (raw instanceof Float32Array || raw instanceof Float64Array) return raw;
  let buffer, offset, length;
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

/** '#rrggbb' stops -> flat [r0, g0, b0, r1, ...]. */
function parseStops(stops) {
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

/** Any CSS colour -> [r, g, b, a 0..255], as the browser understands it. */
const colourProbe = document.createElement('canvas').getContext('2d');
function cssRGBA(css) {
  colourProbe.fillStyle = '#000000';
  colourProbe.fillStyle = String(css);
  const s = colourProbe.fillStyle; // normalised: '#rrggbb' or 'rgba(r, g, b, a)'
  if (s[0] === '#') {
    const n = parseInt(s.slice(1, 7), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 255];
  }
  const m = s.match(/[\d.]+/g) || ['0', '0', '0', '1'];
  const a = m.length > 3 ? parseFloat(m[3]) : 1;
  return [+m[0], +m[1], +m[2], Math.round(a * 255)];
}

/** d3-style '.Nf' / '.Ne' with toFixed / toExponential. */
function formatValue(value, format) {
  if (Number.isNaN(value)) return 'NaN';
  const m = /^\.(\d+)([fe])$/.exec(format || '');
  if (!m) return String(value);
  const digits = Math.min(+m[1], 20);
  return m[2] === 'f' ? value.toFixed(digits) : value.toExponential(digits);
}

export default {
  render({ model, el }) {
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

    const ctx = canvas.getContext('2d');
    const staticCanvas = document.createElement('canvas'); // axes, ticks, titles
    const staticCtx = staticCanvas.getContext('2d');
    const mosaic = document.createElement('canvas'); // one pixel per cell
    const mosaicCtx = mosaic.getContext('2d');
    let mosaicImage = null;

    // ---------------------------------------------------------------- state

    let g = null; // geometry, see readGeometry()
    let theme = null;
    let values = new Float32Array(0);
    let hover = null; // {digit, row, col, x, y} while the pointer is over a cell
    let drawnSelected = [];
        let drawnHighlighted = new Set();

    const dirty = { layout: true, colors: true, panels: new Set() };
    let flushQueued = false;

    function schedule() {
      if (flushQueued) return;
      flushQueued = true;
      queueMicrotask(flush); // every trait of one message -> one redraw, before the next frame
    }

    function readGeometry() {
      // Every size comes from the figure model (digitheat_widget/figure/layout.py): only
      // the device scale and the mosaic's arrangement are worked out here.
      const f = model.get('geometry') || {};
      const count = f.count | 0;
      const rows = f.rows | 0;
      const cols = f.cols | 0;
      const empty = !count || !rows || !cols || !f.margin;
      const width = empty ? 0 : f.width;
      const height = empty ? 0 : f.height;
      const dpr = window.devicePixelRatio || 1;
      const area = Math.max(1, width * height);
      const scale = Math.min(
        dpr, CANVAS_MAX_SIDE / Math.max(1, width), CANVAS_MAX_SIDE / Math.max(1, height),
        Math.sqrt(CANVAS_MAX_AREA / area),
      );
      // Mosaic: panels stacked vertically, in several stacks side by side if very tall.
      const perStack = Math.max(1, Math.floor(MOSAIC_MAX_ROWS / Math.max(1, rows)));
      const stacks = Math.max(1, Math.ceil(count / perStack));
      return {
        count, rows, cols, columns: Math.max(1, f.columns | 0), cell: f.cell, margin: f.margin,
        plotW: f.plot_width, plotH: f.plot_height, panelW: f.panel_width, panelH: f.panel_height,
        gapX: f.gap_x, gapY: f.gap_y, width, height, scale, empty, perStack, stacks,
        tickPx: f.tick_font_px, titlePx: f.title_font_px, tickSize: f.tick_length,
        tickPadding: f.tick_padding, accent: f.accent_color, outline: f.highlight_width,
        selectedColor: f.selected_color, dimmed: f.dimmed_opacity,
        xTicks: f.x_ticks || [], yTicks: f.y_ticks || [],
        labels: f.labels || [], titleTips: f.title_tooltips || [],
      };
    }

    function readTheme() {
      const style = getComputedStyle(root.isConnected ? root : document.body);
      const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
      return {
        text: read('--jp-ui-font-color1', '#333'),
        // bqplot draws tick labels and axis lines in the secondary content colour.
        tick: read('--jp-content-font-color2', 'rgba(0, 0, 0, 0.54)'),
        background: read('--jp-layout-color0', 'white'),
      };
    }

    function panelOrigin(p) {
      const col = p % g.columns;
      const row = Math.floor(p / g.columns);
      return [col * (g.panelW + g.gapX), row * (g.panelH + g.gapY)];
    }

    /** A panel's box in device pixels, rounded outwards (panels never share a pixel). */
    function deviceBox(p) {
      const [ox, oy] = panelOrigin(p);
      const x0 = Math.floor(ox * g.scale);
      const y0 = Math.floor(oy * g.scale);
      return [x0, y0, Math.ceil((ox + g.panelW) * g.scale) - x0,
        Math.ceil((oy + g.panelH) * g.scale) - y0];
    }

    function labelOf(p) {
      return p < g.labels.length ? String(g.labels[p]) : String(p);
    }

    function highlightedSet() {
      return new Set((model.get('highlighted') || []).filter((i) => i >= 0 && i < g.count));
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
      const mw = g.cols * g.stacks;
      const mh = g.rows * Math.min(g.count, g.perStack);
      if (mosaic.width !== mw || mosaic.height !== mh) {
        mosaic.width = mw;
        mosaic.height = mh;
      }
      mosaicImage = mw > 0 && mh > 0 ? mosaicCtx.createImageData(mw, mh) : null;
    }

    /** Axes, tick labels and title of panel p on the static canvas. */
    function drawStaticPanel(p, emphasised) {
      const c = staticCtx;
      const [ox, oy] = panelOrigin(p);
      const px0 = ox + g.margin.left;
      const py0 = oy + g.margin.top;
      const [dx, dy, dw, dh] = deviceBox(p);
      c.setTransform(1, 0, 0, 1, 0, 0);
      c.clearRect(dx, dy, dw, dh);
      c.setTransform(g.scale, 0, 0, g.scale, 0, 0);
      c.save();
      c.beginPath();
      c.rect(ox, oy, g.panelW, g.panelH);
      c.clip();
      // Plot-area background: shows through dimmed cells and see-through NaN colours.
      c.fillStyle = theme.background;
      c.fillRect(px0, py0, g.plotW, g.plotH);
      // Axis lines with outer ticks, as d3 draws them (0.5 px offsets: crisp 1 px lines).
      c.strokeStyle = theme.tick;
      c.lineWidth = 1;
      c.beginPath();
      const bottom = py0 + g.plotH;
      c.moveTo(px0 + 0.5, bottom + g.tickSize);
      c.lineTo(px0 + 0.5, bottom + 0.5);
      c.lineTo(px0 + g.plotW + 0.5, bottom + 0.5);
      c.lineTo(px0 + g.plotW + 0.5, bottom + g.tickSize);
      c.moveTo(px0 - g.tickSize, bottom + 0.5);
      c.lineTo(px0 + 0.5, bottom + 0.5);
      c.lineTo(px0 + 0.5, py0 + 0.5);
      c.lineTo(px0 - g.tickSize, py0 + 0.5);
      c.stroke();
      // Ticks at the centre of each labelled column / row, then their labels.
      c.beginPath();
      for (const col of g.xTicks) {
        if (col < 0 || col >= g.cols) continue;
        const x = px0 + (col + 0.5) * g.cell;
        c.moveTo(x, bottom);
        c.lineTo(x, bottom + g.tickSize);
      }
      for (const row of g.yTicks) {
        if (row < 0 || row >= g.rows) continue;
        const y = py0 + (row + 0.5) * g.cell;
        c.moveTo(px0, y);
        c.lineTo(px0 - g.tickSize, y);
      }
      c.stroke();
      c.fillStyle = theme.tick;
      c.font = `${g.tickPx}px sans-serif`;
      c.textBaseline = 'alphabetic';
      c.textAlign = 'center';
      const labelY = bottom + g.tickSize + g.tickPadding + 0.71 * g.tickPx;
      for (const col of g.xTicks) {
        if (col >= 0 && col < g.cols) c.fillText(String(col), px0 + (col + 0.5) * g.cell, labelY);
      }
      c.textAlign = 'right';
      for (const row of g.yTicks) {
        if (row >= 0 && row < g.rows) {
          c.fillText(String(row), px0 - g.tickSize - g.tickPadding,
            py0 + (row + 0.5) * g.cell + 0.32 * g.tickPx);
        }
      }
      // Title: centred over the plot area, baseline at margin.top / 2 + 1em.
      c.fillStyle = theme.text;
      c.font = `${emphasised ? 'bold ' : ''}${g.titlePx}px sans-serif`;
      c.textAlign = 'center';
      c.fillText(labelOf(p), px0 + g.plotW / 2, oy + g.margin.top / 2 + g.titlePx);
      c.restore();
    }

    /** Colour every value into the mosaic (one pixel per cell). */
    function recolour() {
      if (!mosaicImage) return;
      const data = mosaicImage.data;
      const stride = mosaic.width;
      const { rows, cols, count, perStack } = g;
      const size = count * rows * cols;
      if (values.length !== size) {
        data.fill(0); // inconsistent state (should not happen with set_data): draw no cells
        mosaicCtx.putImageData(mosaicImage, 0, 0);
        return;
      }
      const stops = parseStops(model.get('stops'));
      const last = stops.length / 3 - 1;
      const vmin = +model.get('vmin');
      const vmax = +model.get('vmax');
      const span = vmax - vmin;
      const toPos = span > 0 ? last / span : 0;
      const [nr, ng, nb, na] = cssRGBA(model.get('nan_color'));
      let src = 0;
      for (let p = 0; p < count; p++) {
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
            // Clamp to [vmin, vmax], then interpolate linearly between evenly spaced stops.
            let pos = span > 0 ? (v - vmin) * toPos : last / 2;
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
      mosaicCtx.putImageData(mosaicImage, 0, 0);
    }

    /** Cells and overlays of panel p, over what is already on the canvas. */
    function drawPanelTop(p, chosen, selected) {
      const [ox, oy] = panelOrigin(p);
      const px0 = ox + g.margin.left;
      const py0 = oy + g.margin.top;
      const alpha = chosen.size && !chosen.has(p) ? g.dimmed : 1;
      ctx.globalAlpha = alpha;
      ctx.drawImage(mosaic, Math.floor(p / g.perStack) * g.cols, (p % g.perStack) * g.rows,
        g.cols, g.rows, px0, py0, g.plotW, g.plotH);
      if (selected && selected[0] === p) {
        ctx.strokeStyle = g.selectedColor;
        ctx.lineWidth = 3;
        ctx.strokeRect(px0 + selected[2] * g.cell, py0 + selected[1] * g.cell, g.cell, g.cell);
      }
      ctx.globalAlpha = 1;
      if (chosen.has(p)) { // 3 px accent outline inside the panel's box
        ctx.strokeStyle = g.accent;
        ctx.lineWidth = g.outline;
        ctx.strokeRect(ox + g.outline / 2, oy + g.outline / 2, g.panelW - g.outline, g.panelH - g.outline);
      }
    }

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
          const [dx, dy, dw, dh] = deviceBox(p);
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
      if (!g || dirty.layout) {
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
      if (dirty.layout) {
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
      dirty.panels.clear();
      if (hover) showTooltip(hover.x, hover.y); // the value under the pointer may have changed
    }

    // ---------------------------------------------------------------- trait changes

    const handlers = {};
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
    on('values', () => {
      values = toValues(model.get('values'));
      dirty.colors = true;
      schedule();
    });
    on('vmin vmax stops nan_color', () => {
      dirty.colors = true;
      schedule();
    });
    on('highlighted', () => {
      if (!g || dirty.layout) return schedule();
      const chosen = highlightedSet();
      const wasDimming = drawnHighlighted.size > 0;
      const dimming = chosen.size > 0;
      for (let p = 0; p < g.count; p++) {
        const changed = chosen.has(p) !== drawnHighlighted.has(p);
        if (changed) drawStaticPanel(p, chosen.has(p)); // bold title or not
        if (changed || wasDimming !== dimming) dirty.panels.add(p); // opacity, outline
      }
      drawnHighlighted = chosen;
      schedule();
    });
    on('selected', () => {
      if (!g || dirty.layout) return schedule();
      for (const sel of [drawnSelected, model.get('selected') || []]) {
        if (sel.length === 3) dirty.panels.add(sel[0]);
      }
      schedule();
    });
    on('value_format', () => {
      if (hover) showTooltip(hover.x, hover.y);
    });

    // Theme switches (JupyterLab sets these attributes on <body>; an exported page
    // follows the system's light or dark preference) and screen changes.
    const onThemeChange = () => {
      const next = readTheme();
      if (!theme || JSON.stringify(next) !== JSON.stringify(theme)) {
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
    let attachFrame = requestAnimationFrame(function checkAttached() {
      if (!root.isConnected) {
        attachFrame = requestAnimationFrame(checkAttached);
        return;
      }
      attachFrame = null;
      const next = readTheme();
      if (theme && JSON.stringify(next) !== JSON.stringify(theme)) {
        dirty.layout = true;
        schedule();
      }
    });

    // ---------------------------------------------------------------- pointer

    /** What is under canvas point (x, y) in CSS px: a cell, a title, or null. */
    function hit(x, y) {
      if (!g || g.empty) return null;
      const stepX = g.panelW + g.gapX;
      const stepY = g.panelH + g.gapY;
      const pc = Math.floor(x / stepX);
      const pr = Math.floor(y / stepY);
      if (pc < 0 || pc >= g.columns || pr < 0) return null;
      const lx = x - pc * stepX;
      const ly = y - pr * stepY;
      const digit = pr * g.columns + pc;
      if (lx >= g.panelW || ly >= g.panelH || digit >= g.count) return null;
      const cx = lx - g.margin.left;
      const cy = ly - g.margin.top;
      if (cx >= 0 && cx < g.plotW && cy >= 0 && cy < g.plotH) {
        return { kind: 'cell', digit, row: Math.floor(cy / g.cell), col: Math.floor(cx / g.cell) };
      }
      // The SVG renderer's title button: the top margin, inside the 3 px outline.
      if (ly >= 3 && ly < g.margin.top && lx >= 3 && lx < g.panelW - 3) {
        return { kind: 'title', digit };
      }
      return null;
    }

    function pointer(event) {
      const box = canvas.getBoundingClientRect();
      const sx = box.width ? g.width / box.width : 1;
      const sy = box.height ? g.height / box.height : 1;
      return [(event.clientX - box.left) * sx, (event.clientY - box.top) * sy];
    }

    function showTooltip(x, y) {
      const target = hit(x, y);
      if (!target || target.kind !== 'cell') {
        hover = null;
        tooltip.style.display = 'none';
        return;
      }
      const { digit, row, col } = target;
      const value = values[(digit * g.rows + row) * g.cols + col];
      // The grid's controller may name the value and add to it (comparing: both values),
      // answering this event synchronously as it bubbles up the grid.
      const ask = new CustomEvent('digitheat:canvas-hover', {
        bubbles: true, detail: { digit, row, col, name: 'value', extra: '' },
      });
      root.dispatchEvent(ask);
      tooltip.textContent = `${labelOf(digit)} · row ${row}, column ${col}, ${ask.detail.name} ${
        formatValue(value, model.get('value_format'))}${ask.detail.extra}`;
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

    function onMove(event) {
      const [x, y] = pointer(event);
      showTooltip(x, y);
      const target = hit(x, y);
      const overTitle = target && target.kind === 'title';
      canvas.style.cursor = overTitle ? 'pointer' : '';
      if (overTitle) {
        canvas.setAttribute('title', g.titleTips[target.digit] || labelOf(target.digit));
      } else if (canvas.hasAttribute('title')) {
        canvas.removeAttribute('title');
      }
    }

    function onLeave() {
      hover = null;
      tooltip.style.display = 'none';
      canvas.style.cursor = '';
    }

    function onClick(event) {
      const [x, y] = pointer(event);
      const target = hit(x, y);
      if (!target) return;
      // The grid's controller (its view, in the same grid) handles what a click means.
      // A DOM event, not a message: anywidget binds a view's model.send when the view is
      // made, so a message could not be caught on its way out as bqplot's are.
      root.dispatchEvent(new CustomEvent('digitheat:canvas-click', {
        bubbles: true, detail: { ...target },
      }));
    }

    canvas.addEventListener('mousemove', onMove);
    canvas.addEventListener('mouseleave', onLeave);
    canvas.addEventListener('click', onClick);

    values = toValues(model.get('values'));
    flush(); // first paint now, while the view is being created

    return () => {
      for (const [name, fn] of Object.entries(handlers)) model.off(name, fn);
      themeObserver.disconnect();
      schemeQuery.removeEventListener('change', onThemeChange);
      if (dprQuery) dprQuery.removeEventListener('change', onDpr);
      if (attachFrame !== null) cancelAnimationFrame(attachFrame);
      canvas.removeEventListener('mousemove', onMove);
      canvas.removeEventListener('mouseleave', onLeave);
      canvas.removeEventListener('click', onClick);
      root.remove();
    };
  },
};
