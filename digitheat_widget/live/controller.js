// GridController (anywidget): the one page-side owner of a DigitHeatmapGrid's behaviour.
//
// Python describes the figure (digitheat_widget/figure) and sends it here in a few small
// traits: `geometry` (sizes, ticks, titles), `limits`, `colormap`, `nan_color`, `highlighted`,
// `selected`, and the tensor through one codec (`data` for the whole stack, `patch` for
// the maps that changed). This module then sets what the drawing layer shows, page-side
// only: the bqplot colour scale, colorbar axis, marks and tooltips of the SVG panels, or
// the canvas renderer's model. Python never sets those for a change of data, limits,
// colormap, highlight or selection, so each such change is one message.
//
// What a person does in the page is handled here too, with or without a kernel: title
// and cell clicks (caught on their way out of the bqplot and canvas models), the control
// panel's sliders, colormap menu, highlight toggles and "auto limits" button. The page
// changes at once; with a kernel the change is also sent to Python, which validates it
// and answers with its own state (a refused change is undone by that answer).
//
// Labels are user text: they are only ever set as text or attributes, never as HTML.

const REF = 'IPY_MODEL_';
const STATES = new Map(); // layout.uid -> the controller's page state (see initialize)

// ------------------------------------------------------------------ number formats
// Twins of digitheat_widget/figure/ticks.py (tick_step, tick_format, value_format), for
// limits set in the page; a browser test compares the two over many ranges.

const MIN_SPAN = 1e-300;

function tickStep(lo, hi, count = 10) {
  const raw = Math.max((hi - lo) / count, MIN_SPAN / count);
  const power = Math.floor(Math.log10(raw));
  const error = raw / 10 ** power;
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  return factor * 10 ** power;
}

export function tickFormat(lo, hi, count = 10) {
  const step = tickStep(lo, hi, count);
  const largest = Math.max(Math.abs(lo), Math.abs(hi));
  if (largest >= 1e6 || step < 1e-6) {
    const digits = Math.max(0, Math.floor(Math.log10(largest)) - Math.floor(Math.log10(step) + 1e-9));
    return `.${digits}e`;
  }
  return `,.${Math.max(0, -Math.floor(Math.log10(step) + 1e-9))}f`;
}

export function valueFormat(tickFmt) {
  const fmt = tickFmt.replace(',', '');
  return `.${parseInt(fmt.slice(1, -1), 10) + 1}${fmt.slice(-1)}`;
}

/** The colorbar's tick labels on [lo, hi] (d3's ticks and format), for their width. */
function tickLabels(lo, hi, fmt) {
  const step = tickStep(lo, hi);
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const m = /^(,?)\.(\d+)([fe])$/.exec(fmt);
  const out = [];
  for (let i = first; i <= last && out.length < 50; i++) {
    const t = i * step;
    out.push(m[3] === 'e' ? t.toExponential(+m[2]) : t.toLocaleString('en-US', {
      minimumFractionDigits: +m[2], maximumFractionDigits: +m[2], useGrouping: m[1] === ',',
    }));
  }
  return out;
}

/** Twin of figure/layout.py's colorbar_width and colorbar_margin. */
function colorbarSize(labels, layout) {
  const labelPx = Math.floor(Math.max(4, ...labels.map((t) => t.length)) * 6.5);
  const width = layout.colorbar_bar_left + layout.colorbar_bar_width + 8 + labelPx;
  const right = 2 * (labelPx + 8);
  return {
    width,
    margin: {
      top: layout.margin.top - layout.colorbar_inset,
      bottom: layout.margin.bottom - layout.colorbar_inset,
      left: width - 2 - right,
      right,
    },
  };
}

/** A colormap's '#rrggbb' stops from the menu's table (controls.py's page_refs): one
 *  'rrggbb...' string per map; an '_r' map is its base map reversed. */
function stopsOf(table, name) {
  const reversed = name.endsWith('_r') && !(name in table);
  const hex = table[reversed ? name.slice(0, -2) : name];
  if (typeof hex !== 'string' || !hex.length || hex.length % 6) return null;
  const stops = hex.match(/.{6}/g).map((rgb) => `#${rgb}`);
  return reversed ? stops.reverse() : stops;
}

// ------------------------------------------------------------------ the tensor codec
// Twin of digitheat_widget/live/codec.py: {dtype, shape, buffer, seq[, indices]}.

function decode(encoded) {
  if (!encoded || !encoded.buffer || !encoded.shape) return null;
  const raw = encoded.buffer; // a DataView on the message's binary buffer
  const Type = encoded.dtype === 'float64' ? Float64Array : Float32Array;
  const bytes = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength); // aligned copy
  const values = new Type(bytes);
  const size = encoded.shape.reduce((a, b) => a * b, 1);
  return values.length === size ? { values, shape: encoded.shape, seq: encoded.seq | 0 } : null;
}

// ------------------------------------------------------------------ other models

/**
 * Set attributes on another widget's model in this page only. ipywidgets (private API,
 * checked on ipywidgets 8.0-8.1) keeps a running diff of set() calls and sends it with
 * the model's next save_changes(); these values came from Python or belong to the page,
 * and must not be echoed back.
 */
let warnedDiff = false;
function setLocal(model, attrs) {
  if (!model) return;
  model.set(attrs);
  const diff = model._buffered_state_diff;
  if (diff) {
    for (const name of Object.keys(attrs)) delete diff[name];
  } else if (!warnedDiff) {
    warnedDiff = true;
    console.error('[digitheat-widget] this ipywidgets front end is not one the widget was '
      + 'tested with (no _buffered_state_diff): page-side changes may be sent back to Python. '
      + 'Tested: ipywidgets 8.0-8.1.');
  }
}

/**
 * New values for a bqplot GridHeatMap of the same shape, painted without its full
 * redraw. bqplot (private API, checked on bqplot 0.13) rebuilds its cell data on a new
 * `color` and redraws every cell, its layout and labels: ten marks so redrawn took
 * longer than a frame, and streaming fell to about 20 updates/s. Here the model's cell
 * data (`mark_data`, the data bound to its cells, which tooltips read) take the values in
 * place, the model's `color` follows silently, and each view sets its cells' fill with
 * its own get_element_fill, so the colours are bqplot's. Returns false, for the full
 * redraw, when the mark is not in the state this expects.
 */
function repaintCells(mark, values, offset, color) {
  const cells = mark.mark_data;
  const size = color.length * (color[0] ? color[0].length : 0);
  if (!Array.isArray(cells) || cells.length !== size || !mark.views) return false;
  for (let i = 0; i < size; i++) cells[i].color = values[offset + i];
  mark.set('color', color, { silent: true });
  if (mark._buffered_state_diff) delete mark._buffered_state_diff.color;
  for (const pending of Object.values(mark.views)) {
    Promise.resolve(pending).then((view) => {
      if (view && view.displayCells && typeof view.get_element_fill === 'function') {
        view.displayCells.style('fill', (d) => view.get_element_fill(d));
      }
    });
  }
  return true;
}

/** Call `handler(content)` for custom messages a model's views send to Python; the
 *  message goes on to Python only when the handler returns true. */
function interceptSends(model, handler) {
  if (!model || model.__digitheatIntercept) return;
  const original = model.send.bind(model);
  model.__digitheatIntercept = handler;
  model.send = (content, callbacks, ...rest) => {
    // The sending view's callbacks route what Python prints in answer (e.g. a click
    // callback's traceback) to that view's output, as the original message would.
    if (model.__digitheatIntercept(content || {}, callbacks)) return original(content, callbacks, ...rest);
    return undefined;
  };
}

/** Sends a control's state to Python only for what a person did. ipywidgets' slider views
 *  "touch" (send their value) from inside a programmatic update too: when a new range or
 *  value reaches noUiSlider, it reports the value snapped to its step or clamped to the old
 *  range, and the view sends that back as if the handle had moved. Coming from the kernel
 *  (under its state lock) or from the controller's own reflection, that value is stale or
 *  rounded, and Python would take it: a frame slider following a running loop set `frame`
 *  back, a limit slider pinned auto limits to a rounded value. */
function userSavesOnly(model, reflecting) {
  if (!model || model.__digitheatUserSaves) return;
  model.__digitheatUserSaves = true;
  const original = model.save_changes.bind(model);
  model.save_changes = (...args) => {
    if (!model._state_lock && !reflecting()) return original(...args);
    model._buffered_state_diff = {};
    return undefined;
  };
}

async function resolve(manager, ref) {
  if (typeof ref !== 'string' || !ref.startsWith(REF)) return null;
  try {
    return await manager.get_model(ref.slice(REF.length));
  } catch (error) {
    return null; // closed meanwhile
  }
}

async function resolveAll(manager, refs) {
  return Promise.all((refs || []).map((ref) => resolve(manager, ref)));
}

// ------------------------------------------------------------------ compare

const VIEWS = ['data', 'reference', 'difference'];

/** Whether the page holds a reference of the data's size. */
function comparing(state) {
  return !!(state.tensor && state.reference
    && state.reference.values.length === state.tensor.values.length);
}

/** The values a grid shows: its data, the reference, or data - reference. */
function shownValues(state) {
  const data = state.tensor.values;
  const ref = state.reference && state.reference.values.length === data.length
    ? state.reference.values : null;
  if (!ref || state.showing === 'data') return data;
  if (state.showing === 'reference') return ref;
  const out = new data.constructor(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] - ref[i];
  return out;
}

// ------------------------------------------------------------------ the controller

function createState(model) {
  const state = {
    layout: model.get('geometry') || {},
    limits: model.get('limits') || {},
    auto: model.get('auto_limits') || [0, 1],
    colormap: model.get('colormap') || {},
    nanColor: model.get('nan_color'),
    highlighted: model.get('highlighted') || [],
    selected: model.get('selected') || [],
    tensor: null, // {values, shape, seq}
    frames: null, // {values, shape: [T, N, H, W], seq}
    paging: model.get('paging') || {}, // {page, page_count, offset, total} when paged
    frame: -1,
    frameLabels: [],
    frameLimits: 'fixed',
    reference: null, // {values, shape, seq}: what data is compared with
    showing: 'data', // or 'reference', 'difference'
    compare: {}, // each view's automatic limits and the two colormaps (Python's)
    parts: null, // resolved drawing models, see resolveParts
    controls: null,
    views: new Set(), // restyle callbacks of this controller's views
    reflecting: false,
  };
  return state;
}

export default {
  async initialize({ model }) {
    const state = createState(model);
    const manager = model.widget_manager;
    // What Python prints in answer to a page event goes where the last click's view
    // sends its output (JupyterLab: the notebook's log console).
    let lastCallbacks;
    const kernelSend = (content, callbacks) => {
      if (callbacks) lastCallbacks = callbacks;
      model.send(content, callbacks || lastCallbacks);
    };
    let partsReady = Promise.resolve();

    /** Limits set in the page: both ends given, or both automatic. */
    function limitsOf(vmin, vmax) {
      const low = vmin ?? state.auto[0];
      const high = vmax ?? state.auto[1];
      return { vmin, vmax, low, high, tick_format: tickFormat(low, high) };
    }

    // ---------------------------------------------------------------- drawing

    function rowsOf(values, offset, rows, cols) {
      const out = [];
      for (let r = 0; r < rows; r++) out.push(values.slice(offset + r * cols, offset + (r + 1) * cols));
      return out;
    }

    function drawData(indices) {
      const p = state.parts;
      if (!p || !state.tensor) return;
      const { shape } = state.tensor;
      const values = shownValues(state);
      const [count, rows, cols] = shape;
      if (p.canvas) {
        // A copy: patches change the controller's array in place, and ipywidgets compares
        // a new value by its contents, so the same contents would be no change at all.
        setLocal(p.canvas, { values: values.slice() });
        return;
      }
      const list = indices || [...Array(count).keys()];
      const ref = comparing(state) ? state.reference.values : null;
      for (const index of list) {
        const mark = p.marks[index];
        if (!mark || index >= count) continue;
        const offset = index * rows * cols;
        const color = rowsOf(values, offset, rows, cols);
        if (!repaintCells(mark, values, offset, color)) setLocal(mark, { color });
        // Comparing, each cell's data also carries both values, for the tooltip.
        if (ref && Array.isArray(mark.mark_data)) {
          mark.mark_data.forEach((cell, i) => {
            cell.data = state.tensor.values[offset + i];
            cell.reference = ref[offset + i];
          });
        }
      }
    }

    function drawLimits() {
      const p = state.parts;
      if (!p) return;
      const { low, high, tick_format: fmt } = state.limits;
      const vfmt = valueFormat(fmt);
      // The format first: bqplot's colorbar redraws its labels on a new domain with the
      // format it has then (set after, the old format came back a few ms later).
      if (p.axis) setLocal(p.axis, { tick_format: fmt });
      setLocal(p.scale, { min: low, max: high });
      if (p.colorbar && p.colorbarLayout && state.layout.margin) {
        const size = colorbarSize(tickLabels(low, high, fmt), state.layout);
        setLocal(p.colorbarLayout, { width: `${size.width}px` });
        setLocal(p.colorbar, { fig_margin: size.margin });
      }
      // Comparing, the tooltip shows the value shown and both values.
      const both = comparing(state);
      const fields = both ? ['row', 'column', 'color', 'data', 'reference'] : ['row', 'column', 'color'];
      p.tooltips.forEach((tooltip, index) => {
        if (!tooltip) return;
        const title = String((state.layout.labels || [])[index] ?? index);
        const labels = [`${title} · row`, 'column', both ? state.showing : 'value',
          ...(both ? ['data', 'reference'] : [])];
        const attrs = { formats: fields.map((f, i) => (i < 2 ? '' : vfmt)) };
        if ((tooltip.get('fields') || []).length !== fields.length) Object.assign(attrs, { fields, labels });
        else if ((tooltip.get('labels') || [])[2] !== labels[2]) attrs.labels = labels;
        setLocal(tooltip, attrs);
      });
      if (p.canvas) setLocal(p.canvas, { vmin: low, vmax: high, value_format: vfmt });
    }

    function drawColormap() {
      const p = state.parts;
      if (!p) return;
      setLocal(p.scale, { colors: state.colormap.stops });
      if (p.canvas) setLocal(p.canvas, { stops: state.colormap.stops });
    }

    function drawHighlight() {
      const p = state.parts;
      if (!p) return;
      const chosen = new Set(state.highlighted);
      const dimmed = state.layout.dimmed_opacity;
      p.marks.forEach((mark, index) => {
        setLocal(mark, { opacity: chosen.size && !chosen.has(index) ? dimmed : 1 });
      });
      p.figures.forEach((figure, index) => {
        if (!figure) return;
        const classes = (figure.get('_dom_classes') || []).filter((c) => c !== 'dhg-highlighted');
        if (chosen.has(index)) classes.push('dhg-highlighted');
        setLocal(figure, { _dom_classes: classes });
      });
      if (p.canvas) setLocal(p.canvas, { highlighted: [...state.highlighted] });
    }

    function drawSelectedAndNan() {
      const p = state.parts;
      if (p && p.canvas) setLocal(p.canvas, { selected: [...state.selected], nan_color: state.nanColor });
      for (const restyle of state.views) restyle();
    }

    function drawAll() {
      drawData(null);
      drawLimits();
      drawColormap();
      drawHighlight();
      drawSelectedAndNan();
      reflectControls();
    }

    // Messages are applied to the page state as they come (cheap). A message that finds
    // the page idle is drawn at once; while the page is still busy with the last drawing
    // (less than a frame ago), what comes is drawn together at the next animation frame,
    // so a kernel that sends faster than bqplot can redraw ten marks never builds a
    // backlog here, and each frame shows the latest values.
    const FRAME_MS = 16;
    const dirty = { maps: null, limits: false, colormap: false, highlight: false, style: false };
    let frame = null;
    let timer = null;
    let drawnAt = -Infinity;
    function redraw() {
      if (frame !== null) cancelAnimationFrame(frame);
      if (timer !== null) clearTimeout(timer);
      frame = timer = null;
      const { maps } = dirty;
      dirty.maps = null;
      if (maps) drawData(maps === 'all' ? null : [...maps]);
      if (dirty.limits) drawLimits();
      if (dirty.colormap) drawColormap();
      if (dirty.highlight) drawHighlight();
      if (dirty.style) drawSelectedAndNan();
      else if (maps || dirty.limits || dirty.colormap || dirty.highlight) {
        for (const restyle of state.views) restyle(); // the summary and the readout follow
      }
      dirty.limits = dirty.colormap = dirty.highlight = dirty.style = false;
      drawnAt = performance.now();
    }
    function later(part, indices) {
      if (part === 'maps') {
        if (indices === null) dirty.maps = 'all';
        else if (dirty.maps !== 'all') {
          dirty.maps = dirty.maps || new Set();
          for (const index of indices) dirty.maps.add(index);
        }
      } else {
        dirty[part] = true;
      }
      if (frame === null) {
        if (performance.now() - drawnAt > FRAME_MS) {
          redraw();
          return;
        }
        frame = requestAnimationFrame(redraw);
        // A hidden page gets no animation frames: a timer draws there instead.
        timer = setTimeout(redraw, 250);
      }
    }

    // ---------------------------------------------------------------- controls

    function reflectControls() {
      const c = state.controls;
      if (!c) return;
      state.reflecting = true;
      try {
        const { low, high } = state.limits;
        for (const [slider, value] of [[c.vmin, low], [c.vmax, high]]) {
          if (!slider) continue;
          const min = Math.min(slider.get('min'), value);
          const max = Math.max(slider.get('max'), value);
          setLocal(slider, { min, max, value });
        }
        if (c.colormap && state.colormap.name) {
          // A Dropdown's model in the page knows its choice by index only.
          const index = (c.colormap.get('_options_labels') || []).indexOf(state.colormap.name);
          if (index >= 0 && c.colormap.get('index') !== index) setLocal(c.colormap, { index });
        }
        const chosen = new Set(state.highlighted);
        c.toggles.forEach((toggle, index) => {
          if (toggle && toggle.get('value') !== chosen.has(index)) setLocal(toggle, { value: chosen.has(index) });
        });
        const count = state.frames ? state.frames.shape[0] : 0;
        if (c.frame && count) {
          const max = Math.max(count - 1, 0);
          if (c.frame.get('max') !== max || c.frame.get('value') !== state.frame) {
            setLocal(c.frame, { max, value: Math.max(0, state.frame) });
          }
        }
        if (c.show) {
          const index = (c.show.get('_options_labels') || []).indexOf(state.showing);
          if (index >= 0 && c.show.get('index') !== index) setLocal(c.show, { index });
        }
        if (c.frameLabel) {
          const text = count ? `${state.frameLabels[state.frame] ?? state.frame} (${state.frame + 1} of ${count})` : '';
          if (c.frameLabel.get('value') !== text) setLocal(c.frameLabel, { value: text });
        }
      } finally {
        state.reflecting = false;
      }
    }

    /** A change made in the page: applied here at once; `tell` says what Python gets. */
    function pageChange(change, tell, callbacks) {
      if ('limits' in change) {
        state.limits = change.limits;
        later('limits');
      }
      if ('colormap' in change) {
        state.colormap = change.colormap;
        later('colormap');
      }
      if ('highlighted' in change) {
        state.highlighted = change.highlighted;
        later('highlight');
      }
      if ('selected' in change) {
        state.selected = change.selected;
        later('style');
      }
      reflectControls();
      if (tell) kernelSend(tell, callbacks);
    }

    function toggleHighlight(index, callbacks) {
      const chosen = state.highlighted.includes(index)
        ? state.highlighted.filter((i) => i !== index) : [...state.highlighted, index];
      pageChange({ highlighted: chosen }, { event: 'highlighted', value: chosen }, callbacks);
    }

    function select(index, row, col, callbacks) {
      const [count, rows, cols] = state.tensor ? state.tensor.shape : [0, 0, 0];
      if (!(index < count && row < rows && col < cols)) return;
      pageChange({ selected: [index, row, col] }, { event: 'selected', value: [index, row, col] },
        callbacks);
    }

    // ---------------------------------------------------------------- frames

    /** Show frame `t` of the frames the page holds: its maps become the stack shown
     *  (and, with 'per-frame' automatic limits, its range the limits). `tell`: a person
     *  chose it here, so Python follows. */
    function showFrame(t, tell) {
      const f = state.frames;
      if (!f || !state.tensor || !(t >= 0 && t < f.shape[0])) return false;
      const size = f.shape[1] * f.shape[2] * f.shape[3];
      if (state.tensor.values.length !== size) return false;
      state.tensor.values.set(f.values.subarray(t * size, (t + 1) * size));
      keepStackInState();
      state.frame = t;
      model.set('frame', t, { silent: true }); // a saved or exported page opens on it
      if (state.frameLimits === 'per-frame') {
        let low = Infinity;
        let high = -Infinity;
        for (const v of state.tensor.values) {
          if (v < low) low = v;
          if (v > high) high = v;
        }
        if (low === high) { low -= 0.5; high += 0.5; }
        if (low < high) state.auto = [low, high];
        const { vmin, vmax } = state.limits;
        if (vmin == null || vmax == null) {
          state.limits = limitsOf(vmin ?? null, vmax ?? null);
          later('limits');
        }
      }
      later('maps', null);
      reflectControls();
      if (tell) kernelSend({ event: 'frame', value: [t] });
      return true;
    }

    let playing = null; // the playback timer
    function framesPerSecond() {
      const c = state.controls;
      const labels = (c && c.speed && c.speed.get('_options_labels')) || [];
      const chosen = c && c.speed ? parseFloat(labels[c.speed.get('index')]) : NaN;
      return chosen > 0 ? chosen : 5;
    }
    function play(on) {
      if (playing !== null) clearInterval(playing);
      playing = null;
      const count = state.frames ? state.frames.shape[0] : 0;
      if (on && count > 1) {
        playing = setInterval(() => showFrame((state.frame + 1) % count, true),
          1000 / framesPerSecond());
      }
      const toggle = state.controls && state.controls.play;
      if (toggle && toggle.get('value') !== (playing !== null)) {
        setLocal(toggle, { value: playing !== null });
      }
    }
    function stepFrame(by) {
      const count = state.frames ? state.frames.shape[0] : 0;
      if (count) showFrame(Math.max(0, Math.min(count - 1, state.frame + by)), true);
    }

    /** Show `view` ('data', 'reference' or 'difference'): what the page holds, with
     *  that view's automatic limits and colormap. `tell`: a person chose it here. */
    function showView(view, tell) {
      if (!state.reference || !VIEWS.includes(view)) return;
      const info = state.compare || {};
      state.showing = view;
      if (info.auto && info.auto[view]) state.auto = info.auto[view];
      state.limits = limitsOf(null, null);
      const colormaps = info.colormaps || {};
      const colormap = view === 'difference' ? colormaps.difference : colormaps.base;
      if (colormap) state.colormap = colormap;
      model.set('compare', { ...info, showing: view }, { silent: true });
      later('maps', null);
      later('limits');
      later('colormap');
      reflectControls();
      if (tell) kernelSend({ event: 'showing', value: [VIEWS.indexOf(view)] });
    }

    state.actions = {
      select, toggleHighlight, stepFrame, play: () => play(playing === null),
      // Paged: Python reads the other page and sends it (no kernel, no other page).
      turnPage: (step) => {
        const { page, page_count: count } = state.paging;
        if (page === undefined || !(page + step >= 0 && page + step < count)) return false;
        if (manager && manager.noKernel) return false; // an exported page: it holds this page only
        kernelSend({ event: 'page', value: [page + step] });
        return true;
      },
      nextView: () => showView(VIEWS[(VIEWS.indexOf(state.showing) + 1) % VIEWS.length], true),
    };

    function watchControls(c) {
      // Only what a person does in the page is applied here: a control's change that came
      // from the kernel (under ipywidgets' state lock) already has its own way in through
      // the grid's model, and echoing it would send Python a value it has moved past (a
      // frame slider updated from a running loop set `frame` back to a stale one).
      const ignored = (control) => state.reflecting || !!control._state_lock;
      for (const control of [c.vmin, c.vmax, c.colormap, c.play, c.frame, c.speed, c.show, ...c.toggles]) {
        userSavesOnly(control, () => state.reflecting);
      }
      const onSlider = (control) => {
        if (ignored(control)) return;
        const lo = +c.vmin.get('value');
        const hi = +c.vmax.get('value');
        if (lo < hi) pageChange({ limits: limitsOf(lo, hi) }, null); // the sliders tell Python
        else reflectControls(); // vmin dragged past vmax: back to the limits in force
      };
      for (const slider of [c.vmin, c.vmax]) if (slider) slider.on('change:value', () => onSlider(slider));
      if (c.colormap) {
        c.colormap.on('change:index', () => {
          if (ignored(c.colormap)) return;
          const labels = c.colormap.get('_options_labels') || [];
          const name = labels[c.colormap.get('index')];
          const stops = stopsOf(model.get('colormaps') || {}, name);
          if (!stops) return;
          const colormaps = state.compare && state.compare.colormaps;
          if (state.reference && colormaps) { // the view's own: flipping back keeps it
            colormaps[state.showing === 'difference' ? 'difference' : 'base'] = { name, stops };
          }
          pageChange({ colormap: { name, stops } }, null);
        });
      }
      c.toggles.forEach((toggle) => {
        if (!toggle) return;
        toggle.on('change:value', () => {
          if (ignored(toggle)) return;
          const chosen = c.toggles.map((t, i) => (t && t.get('value') ? i : -1)).filter((i) => i >= 0);
          pageChange({ highlighted: chosen }, null);
        });
      });
      if (c.frame) {
        c.frame.on('change:value', () => {
          if (!ignored(c.frame)) showFrame(c.frame.get('value') | 0, false); // it tells Python
        });
      }
      if (c.play) {
        c.play.on('change:value', () => {
          // Python may press play too: the page plays.
          if (!state.reflecting && (playing !== null) !== !!c.play.get('value')) play(!!c.play.get('value'));
        });
      }
      if (c.speed) c.speed.on('change:index', () => { if (playing !== null) play(true); });
      if (c.show) {
        c.show.on('change:index', () => {
          if (ignored(c.show)) return;
          const view = (c.show.get('_options_labels') || [])[c.show.get('index')];
          if (view !== state.showing) showView(view, false); // the menu tells Python
        });
      }
      interceptSends(c.reset, (content) => {
        if (content.event === 'click') pageChange({ limits: limitsOf(null, null) }, null);
        return true; // Python's button handler resets its traits too
      });
    }

    // ---------------------------------------------------------------- parts

    async function resolveParts() {
      const [scale, axis, colorbar, canvas, marks, tooltips, figures, titles] = await Promise.all([
        resolve(manager, model.get('color_scale')),
        resolve(manager, model.get('colorbar_axis')),
        resolve(manager, model.get('colorbar')),
        resolve(manager, model.get('canvas')),
        resolveAll(manager, model.get('marks')),
        resolveAll(manager, model.get('tooltips')),
        resolveAll(manager, model.get('figures')),
        resolveAll(manager, model.get('titles')),
      ]);
      const colorbarLayout = colorbar ? await resolve(manager, colorbar.get('layout')) : null;
      marks.forEach((mark, index) => interceptSends(mark, (content, callbacks) => {
        if (content.event !== 'element_click') return true;
        const data = content.data || {};
        select(index, data.rowNum | 0, data.columnNum | 0, callbacks);
        return false;
      }));
      titles.forEach((button, index) => interceptSends(button, (content, callbacks) => {
        if (content.event === 'click') toggleHighlight(index, callbacks);
        return false;
      }));
      state.parts = { scale, axis, colorbar, colorbarLayout, canvas, marks, tooltips, figures, titles };
      const refs = model.get('controls') || {};
      if (refs.vmin) {
        const [vmin, vmax, colormap, reset, toggles, play, frame, frameLabel, speed, show] = await Promise.all([
          resolve(manager, refs.vmin), resolve(manager, refs.vmax), resolve(manager, refs.colormap),
          resolve(manager, refs.reset), resolveAll(manager, refs.toggles),
          resolve(manager, refs.play), resolve(manager, refs.frame),
          resolve(manager, refs.frame_label), resolve(manager, refs.speed), resolve(manager, refs.show),
        ]);
        state.controls = { vmin, vmax, colormap, reset, toggles, play, frame, frameLabel, speed, show };
        watchControls(state.controls);
      } else {
        state.controls = null;
      }
      drawAll();
    }

    function reresolve() {
      partsReady = partsReady.then(resolveParts).catch((error) => {
        console.error('[digitheat-widget] could not reach the grid\'s parts:', error);
      });
    }

    // ---------------------------------------------------------------- from Python

    /** The model's own `data` follows the page's stack (without an event): a notebook
     *  that saves widget state, or a page exported from here, holds what is shown, not
     *  the first stack and one patch. It views the page's array, so it costs no copy. */
    function keepStackInState() {
      const { values, shape, seq } = state.tensor;
      model.set('data', {
        dtype: values instanceof Float64Array ? 'float64' : 'float32', shape, seq,
        buffer: new DataView(values.buffer, values.byteOffset, values.byteLength),
      }, { silent: true });
    }

    model.on('change:data', () => {
      const tensor = decode(model.get('data'));
      if (tensor) {
        state.tensor = tensor;
        keepStackInState();
        later('maps', null);
      }
    });
    model.on('change:patch', () => {
      const patch = model.get('patch') || {};
      const maps = decode(patch);
      if (!maps || !state.tensor) return;
      if (maps.seq !== state.tensor.seq + 1) {
        model.send({ event: 'resync' }); // a patch was missed: ask for the whole stack
        return;
      }
      const [, rows, cols] = state.tensor.shape;
      const size = rows * cols;
      (patch.indices || []).forEach((index, j) => {
        state.tensor.values.set(maps.values.subarray(j * size, (j + 1) * size), index * size);
      });
      state.tensor.seq = maps.seq;
      keepStackInState();
      later('maps', patch.indices || []);
    });
    model.on('change:geometry', () => {
      state.layout = model.get('geometry') || {};
      later('limits');
      later('style');
    });
    /** The model's `frames` follows the page's frames, as keepStackInState does. */
    function keepFramesInState() {
      const { values, shape, seq } = state.frames;
      model.set('frames', {
        dtype: values instanceof Float64Array ? 'float64' : 'float32', shape, seq,
        buffer: new DataView(values.buffer, values.byteOffset, values.byteLength),
        labels: state.frameLabels,
      }, { silent: true });
    }
    function readFrames() {
      const encoded = model.get('frames');
      state.frames = decode(encoded);
      state.frameLabels = (encoded && encoded.labels) || [];
    }
    model.on('change:frames', () => {
      readFrames();
      if (state.frames) keepFramesInState();
      reflectControls();
    });
    model.on('change:frames_patch', () => {
      const patch = model.get('frames_patch') || {};
      const added = decode(patch);
      const held = state.frames;
      if (!added || !held) return;
      if (added.seq !== held.seq + 1) {
        model.send({ event: 'resync', part: 'frames' });
        return;
      }
      const size = held.shape[1] * held.shape[2] * held.shape[3];
      const kept = held.values.subarray((patch.drop | 0) * size);
      const values = new held.values.constructor(kept.length + added.values.length);
      values.set(kept);
      values.set(added.values, kept.length);
      state.frames = { values, shape: [values.length / size, ...held.shape.slice(1)], seq: added.seq };
      state.frameLabels = [...state.frameLabels.slice(patch.drop | 0), ...(patch.labels || [])];
      keepFramesInState();
      reflectControls();
    });
    model.on('change:reference', () => {
      state.reference = decode(model.get('reference'));
      later('maps', null);
      later('limits'); // the tooltips' fields
    });
    model.on('change:compare', () => {
      state.compare = model.get('compare') || {};
      if (state.compare.showing && state.compare.showing !== state.showing) {
        state.showing = state.compare.showing; // Python's limits and colormap come with it
        later('maps', null);
        reflectControls();
      }
    });
    model.on('change:paging', () => {
      state.paging = model.get('paging') || {};
      later('style'); // the summary says which page
    });
    model.on('change:frame_limits', () => {
      state.frameLimits = model.get('frame_limits') || 'fixed';
      reflectControls();
    });
    model.on('change:frame', () => {
      const t = model.get('frame');
      // Python shows a frame from the frames the page holds (a frame just recorded
      // is the stack shown already); the page's own choice comes back as no change.
      if (t !== state.frame && !showFrame(t, false)) {
        state.frame = t;
        reflectControls();
      }
    });
    model.on('change:limits', () => {
      state.limits = model.get('limits') || {};
      later('limits');
      reflectControls();
    });
    model.on('change:auto_limits', () => {
      state.auto = model.get('auto_limits') || [0, 1];
    });
    model.on('change:colormap', () => {
      state.colormap = model.get('colormap') || {};
      later('colormap');
      reflectControls();
    });
    model.on('change:highlighted', () => {
      state.highlighted = model.get('highlighted') || [];
      later('highlight');
      reflectControls();
    });
    model.on('change:selected change:nan_color', () => {
      state.selected = model.get('selected') || [];
      state.nanColor = model.get('nan_color');
      later('style');
    });
    model.on('change:marks change:canvas change:controls change:colorbar change:titles', reresolve);

    state.tensor = decode(model.get('data'));
    readFrames();
    state.reference = decode(model.get('reference'));
    state.compare = model.get('compare') || {};
    state.showing = state.compare.showing || 'data';
    state.frame = model.get('frame') ?? -1;
    state.frameLimits = model.get('frame_limits') || 'fixed';
    const patch = model.get('patch') || {};
    if (state.tensor && patch.seq > state.tensor.seq) model.send({ event: 'resync' });
    if (state.tensor) keepStackInState();
    STATES.set(state.layout.uid, state);
    model.on('change:geometry', () => STATES.set((model.get('geometry') || {}).uid, state));
    reresolve();
    await partsReady;
    return () => STATES.delete(state.layout.uid);
  },

  // The view, inside the grid but out of its flow and invisible: the grid's <style>
  // (NaN colour, highlight outline and the selected cell of the SVG panels), the
  // keyboard (the panels and colorbar are one tab stop; see keyboard()) and a polite
  // live region that reads out the focused cell.
  render({ model, el }) {
    const style = document.createElement('style');
    const live = document.createElement('div');
    live.setAttribute('aria-live', 'polite');
    live.className = 'dhg-announce';
    el.append(style, live);
    el.classList.add('dhg-controller');
    const uid = () => (model.get('geometry') || {}).uid;
    let keys = null;
    const restyle = () => {
      const state = STATES.get(uid());
      if (!state) return;
      style.textContent = stylesheet(state);
      if (!keys && el.isConnected) keys = keyboard(state, el, live);
      if (keys) keys.refresh();
    };
    const state = STATES.get(uid());
    if (state) state.views.add(restyle);
    restyle();
    // Drawn before it is attached, the view cannot find its grid yet.
    const attached = new MutationObserver(() => {
      if (el.isConnected && !keys) restyle();
      if (keys) attached.disconnect();
    });
    attached.observe(document.body, { childList: true, subtree: true });
    return () => {
      attached.disconnect();
      if (state) state.views.delete(restyle);
      if (keys) keys.remove();
      style.remove();
      live.remove();
    };
  },
};

/** d3-style '.Nf' / '.Ne' with toFixed / toExponential (as the canvas' readout). */
function formatValue(value, format) {
  if (Number.isNaN(value)) return 'missing (NaN)';
  const m = /^\.(\d+)([fe])$/.exec(format || '');
  if (!m) return String(value);
  const digits = Math.min(+m[1], 20);
  return m[2] === 'f' ? value.toFixed(digits) : value.toExponential(digits);
}

/**
 * The keyboard and screen-reader side of one view. The panels and colorbar (".dhg-body")
 * become one tab stop with the role of an application; arrow keys move a focus cell
 * within a panel and on into the next or previous panel in reading order; PageDown /
 * PageUp jump a panel; Home / End go to a panel's first / last cell (with Ctrl, the
 * grid's); Enter or Space selects the cell as a click does; H highlights the panel;
 * T shows the panel's values as a table (T or Escape hides it). The live region reads
 * each focused cell: its panel's label, row, column and value.
 */
function keyboard(state, el, live) {
  const root = el.closest('.digitheat-grid');
  const body = root && root.querySelector('.dhg-body');
  if (!body) return null;
  const ring = document.createElement('div');
  ring.className = 'dhg-focus';
  ring.hidden = true;
  const table = document.createElement('div');
  table.className = 'dhg-table';
  table.hidden = true;
  body.append(ring);
  root.append(table);
  body.tabIndex = 0;
  body.setAttribute('role', 'application');
  body.setAttribute('aria-roledescription', 'heatmap grid');
  let focus = null; // [panel, row, col]
  let turning = null; // a page asked for: {page, seq, edge: 'first' | 'last'}

  const shape = () => (state.tensor ? state.tensor.shape : [0, 0, 0]);
  const label = (p) => String((state.layout.labels || [])[p] ?? p);
  const at = (values, p, r, c) => {
    const [, rows, cols] = shape();
    return values[(p * rows + r) * cols + c];
  };
  const value = (p, r, c) => {
    const data = at(state.tensor.values, p, r, c);
    if (!comparing(state) || state.showing === 'data') return data;
    const ref = at(state.reference.values, p, r, c);
    return state.showing === 'reference' ? ref : data - ref;
  };
  const fmt = (v) => formatValue(v, valueFormat(state.limits.tick_format || ',.3f'));
  const frameCount = () => (state.frames ? state.frames.shape[0] : 0);

  function summary() {
    const [count, rows, cols] = shape();
    const { low, high, tick_format: tf } = state.limits;
    const chosen = state.highlighted.map(label);
    const colormap = state.colormap.name || 'custom colours';
    return `${count} heatmaps of ${rows} by ${cols} cells, colormap ${colormap}, colour `
      + `limits ${fmt(low)} to ${fmt(high)}`
      + (chosen.length ? `, highlighted: ${chosen.join(', ')}` : '')
      + (frameCount() ? `, frame ${state.frameLabels[state.frame] ?? state.frame} of ${frameCount()}` : '')
      + (state.paging.total ? `, page ${state.paging.page + 1} of ${state.paging.page_count} (panels `
        + `${state.paging.offset} to ${state.paging.offset + count - 1} of ${state.paging.total}; moving `
        + 'past the first or last cell turns the page)' : '')
      + (comparing(state) ? `, showing the ${state.showing}${state.showing === 'difference' ? ' data - reference' : ''} (V switches)` : '')
      + '. Arrow keys move between cells, Enter selects, H highlights a panel, '
      + 'T shows its values as a table'
      + (frameCount() ? ', [ and ] step through the frames, P plays them.' : '.');
  }

  function readout() {
    const [p, r, c] = focus;
    const selected = state.selected.length === 3 && state.selected.every((v, i) => v === focus[i]);
    const chosen = state.highlighted.includes(p);
    const both = comparing(state)
      ? ` (data ${fmt(at(state.tensor.values, p, r, c))}, reference ${fmt(at(state.reference.values, p, r, c))})`
      : '';
    return `${label(p)}, row ${r}, column ${c}, ${comparing(state) ? state.showing : 'value'} ${fmt(value(p, r, c))}${both}`
      + (selected ? ', selected' : '') + (chosen ? ', highlighted panel' : '');
  }

  function place() {
    const g = state.layout;
    const drawing = body.firstElementChild;
    if (!focus || !drawing || !g.margin || document.activeElement !== body) {
      ring.hidden = true;
      return;
    }
    const [p, r, c] = focus;
    const x = (p % g.columns) * (g.panel_width + g.gap_x) + g.margin.left + c * g.cell;
    const y = Math.floor(p / g.columns) * (g.panel_height + g.gap_y) + g.margin.top + r * g.cell;
    Object.assign(ring.style, {
      left: `${drawing.offsetLeft + x}px`, top: `${drawing.offsetTop + y}px`,
      width: `${g.cell}px`, height: `${g.cell}px`,
    });
    ring.hidden = false;
  }

  function showTable() {
    const [p] = focus;
    const [, rows, cols] = shape();
    const t = document.createElement('table');
    const caption = t.createCaption();
    caption.textContent = `Values of ${label(p)} (rows top to bottom, columns left to right)`;
    const head = t.createTHead().insertRow();
    head.append(document.createElement('th'));
    for (let c = 0; c < cols; c++) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = `column ${c}`;
      head.append(th);
    }
    const tbody = t.createTBody();
    for (let r = 0; r < rows; r++) {
      const tr = tbody.insertRow();
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = `row ${r}`;
      tr.append(th);
      for (let c = 0; c < cols; c++) tr.insertCell().textContent = fmt(value(p, r, c));
    }
    table.replaceChildren(t);
    table.hidden = false;
  }

  function moveTo(next) {
    focus = next;
    place();
    live.textContent = readout();
    if (!table.hidden) showTable();
  }

  function onKey(event) {
    if (!state.tensor || event.altKey || event.metaKey) return;
    const [count, rows, cols] = shape();
    const [p, r, c] = focus || [0, 0, 0];
    const size = rows * cols;
    const at = (index) => { // a flat index in reading order, clamped to the grid
      const i = Math.max(0, Math.min(count * size - 1, index));
      return [Math.floor(i / size), Math.floor((i % size) / cols), i % cols];
    };
    const flat = p * size + r * cols + c;
    // Paged: a move past the page's first or last cell asks for the page before or after
    // it; the focus goes to its last or first cell when it arrives (refresh below).
    const last = count * size - 1;
    const past = { ArrowRight: flat === last, ArrowDown: p === count - 1 && r === rows - 1,
      PageDown: p === count - 1, ArrowLeft: flat === 0, ArrowUp: p === 0 && r === 0, PageUp: p === 0 };
    const step = ['ArrowRight', 'ArrowDown', 'PageDown'].includes(event.key) ? 1 : -1;
    if (past[event.key] && state.paging.total && state.actions.turnPage(step)) {
      turning = { page: state.paging.page + step, seq: state.tensor.seq, layout: state.layout,
                  edge: step > 0 ? 'first' : 'last' };
      live.textContent = `Page ${state.paging.page + step + 1} of ${state.paging.page_count}…`;
      event.preventDefault();
      event.stopPropagation();
      return;
    } // else (the first or last page, or no kernel to read another): the move stops here
    let next = null;
    switch (event.key) {
      case 'ArrowRight': next = at(flat + 1); break;
      case 'ArrowLeft': next = at(flat - 1); break;
      case 'ArrowDown': next = r + 1 < rows ? [p, r + 1, c] : at((p + 1) * size + c); break;
      case 'ArrowUp': next = r > 0 ? [p, r - 1, c] : at((p - 1) * size + (rows - 1) * cols + c); break;
      case 'PageDown': next = [Math.min(count - 1, p + 1), r, c]; break;
      case 'PageUp': next = [Math.max(0, p - 1), r, c]; break;
      case 'Home': next = event.ctrlKey ? [0, 0, 0] : [p, 0, 0]; break;
      case 'End': next = event.ctrlKey ? [count - 1, rows - 1, cols - 1] : [p, rows - 1, cols - 1]; break;
      case 'Enter': case ' ':
        state.actions.select(p, r, c);
        next = [p, r, c];
        break;
      case 'h': case 'H':
        state.actions.toggleHighlight(p);
        next = [p, r, c];
        break;
      case '[': case ']': // the previous / next frame, when the grid has frames
        if (!state.frames || !state.frames.shape[0]) return;
        state.actions.stepFrame(event.key === ']' ? 1 : -1);
        next = [p, r, c];
        break;
      case 'p': case 'P':
        if (!state.frames || state.frames.shape[0] < 2) return;
        state.actions.play();
        next = [p, r, c];
        break;
      case 'v': case 'V': // the next view: data, reference, difference
        if (!comparing(state)) return;
        state.actions.nextView();
        next = [p, r, c];
        break;
      case 't': case 'T':
        if (table.hidden) showTable(); else table.hidden = true;
        next = [p, r, c];
        break;
      case 'Escape':
        if (table.hidden) return;
        table.hidden = true;
        next = [p, r, c];
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation(); // JupyterLab would take arrows and Enter as notebook commands
    moveTo(next);
  }

  // The canvas renderer's clicks (canvas.js), bubbling up through this grid.
  const onCanvasClick = (event) => {
    const { kind, digit, row, col } = event.detail || {};
    if (kind === 'cell') state.actions.select(digit, row, col);
    else if (kind === 'title') state.actions.toggleHighlight(digit);
  };
  root.addEventListener('digitheat:canvas-click', onCanvasClick);
  // The canvas' tooltip asks what to call its value and what to add: comparing, the
  // view shown and both values.
  const onCanvasHover = (event) => {
    const { digit, row, col } = event.detail || {};
    if (!comparing(state) || !(digit < shape()[0])) return;
    event.detail.name = state.showing;
    event.detail.extra = `; data ${fmt(at(state.tensor.values, digit, row, col))}, `
      + `reference ${fmt(at(state.reference.values, digit, row, col))}`;
  };
  root.addEventListener('digitheat:canvas-hover', onCanvasHover);
  // JupyterLab's and Notebook 7's shortcuts (Lumino) are matched on the document in the
  // capture phase, before the grid sees a key (Notebook 7 moves the focus away on
  // PageDown). Lumino skips elements marked data-lm-suppress-shortcuts: the grid wears
  // the mark while one of its own keys is dispatched, so other shortcuts (save...) work.
  const OWN_KEYS = new Set(['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp', 'PageDown',
    'PageUp', 'Home', 'End', 'Enter', ' ', 'h', 'H', 't', 'T', 'Escape', '[', ']', 'p', 'P', 'v', 'V']);
  const claimKey = (event) => {
    if (event.target !== body || event.altKey || event.metaKey || !OWN_KEYS.has(event.key)) return;
    body.setAttribute('data-lm-suppress-shortcuts', 'true');
    setTimeout(() => body.removeAttribute('data-lm-suppress-shortcuts'), 0);
  };
  window.addEventListener('keydown', claimKey, true);
  const onFocus = () => moveTo(focus || (state.selected.length === 3 ? [...state.selected] : [0, 0, 0]));
  const onBlur = () => { ring.hidden = true; };
  body.addEventListener('keydown', onKey);
  body.addEventListener('focus', onFocus);
  body.addEventListener('blur', onBlur);
  /** The control panel's names and states for assistive technology (ipywidgets gives
   *  the slider handles no name and the toggles no pressed state). */
  function labelControls() {
    const controls = root.querySelector('.dhg-controls');
    if (!controls) return;
    const names = ['vmin, the lower colour limit', 'vmax, the upper colour limit'];
    const values = [state.limits.low, state.limits.high];
    // Set only what differs: the observer below sees our own writes too.
    const put = (el, name, value) => { if (el.getAttribute(name) !== value) el.setAttribute(name, value); };
    controls.querySelectorAll('.noUi-handle').forEach((handle, i) => {
      if (i > 1) return;
      put(handle, 'aria-label', names[i]);
      put(handle, 'aria-valuetext', fmt(values[i]));
    });
    const chosen = new Set(state.highlighted); // the toggles are the panels, in order
    controls.querySelectorAll('.widget-toggle-button').forEach((button, i) => {
      put(button, 'aria-pressed', String(chosen.has(i)));
    });
  }
  // The controls may render after this grid's last refresh (in JupyterLab they do), and
  // ipywidgets rebuilds a slider or rewrites its aria-valuetext when Python's echo
  // arrives: label them again whenever that happens.
  const relabel = new MutationObserver(labelControls);
  relabel.observe(root, { childList: true, subtree: true, attributes: true,
                          attributeFilter: ['aria-valuetext', 'aria-pressed'] });

  return {
    refresh() {
      labelControls();
      body.setAttribute('aria-label', summary());
      const [count, rows, cols] = shape();
      if (focus && !(focus[0] < count && focus[1] < rows && focus[2] < cols)) focus = null;
      // The new page is in when its values and its titles (a new layout) have come.
      if (turning && state.paging.page === turning.page && state.tensor
          && state.tensor.seq !== turning.seq && state.layout !== turning.layout) {
        const edge = turning.edge === 'first' ? [0, 0, 0] : [count - 1, rows - 1, cols - 1];
        turning = null;
        // After the rest of the message (the new page's titles come with its values).
        if (document.activeElement === body) queueMicrotask(() => moveTo(edge));
      }
      place();
    },
    remove() {
      body.removeEventListener('keydown', onKey);
      body.removeEventListener('focus', onFocus);
      body.removeEventListener('blur', onBlur);
      root.removeEventListener('digitheat:canvas-click', onCanvasClick);
      root.removeEventListener('digitheat:canvas-hover', onCanvasHover);
      relabel.disconnect();
      window.removeEventListener('keydown', claimKey, true);
      ring.remove();
      table.remove();
    },
  };
}

/** CSS for one grid: colours are normalised by Python (rgba(...) or #rrggbb), never the
 *  user's text; the root class is Python's uid. */
function stylesheet(state) {
  const { layout, nanColor, selected } = state;
  const root = `.dhg-${layout.uid}`;
  let css = `${root} rect.heatmapcell { fill: ${nanColor}; }
${root} .dhg-panel { outline: ${layout.highlight_width}px solid transparent; outline-offset: -${layout.highlight_width}px; }
${root} .dhg-panel.dhg-highlighted { outline-color: ${layout.accent_color}; }
${root} .dhg-panel.dhg-highlighted .mainheading { font-weight: bold; }
${root}.jupyter-widgets-disconnected::before { position: absolute; }
${root} .jupyter-widgets-disconnected::before { content: none; display: none; }
${root} .dhg-title-hit { box-shadow: none !important; background: transparent !important; border: none !important; outline: none !important; cursor: pointer; }
${root} .dhg-controller { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
${root} .dhg-body { position: relative; width: fit-content; }
${root} .dhg-body:focus { outline: 2px solid ${layout.accent_color}; outline-offset: 2px; }
${root} .dhg-focus { position: absolute; box-sizing: border-box; pointer-events: none; border: 2px solid #000; box-shadow: 0 0 0 2px #fff, inset 0 0 0 1px #fff; z-index: 5; }
${root} .dhg-table table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
${root} .dhg-table th, ${root} .dhg-table td { border: 1px solid var(--jp-border-color1, #bdbdbd); padding: 2px 6px; text-align: right; }
${root} .dhg-table caption { text-align: left; font-weight: bold; padding-bottom: 4px; }
`;
  if (selected && selected.length === 3) {
    const [digit, row, col] = selected.map((n) => n | 0);
    css += `${root} .dhg-p${digit} g.heatmaprow:nth-of-type(${row + 1}) rect.heatmapcell:nth-of-type(${col + 1}) { stroke: ${layout.selected_color}; stroke-width: 3px; }\n`;
  }
  return css;
}
