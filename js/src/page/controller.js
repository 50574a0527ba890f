// @ts-check
// GridController (anywidget): the one page-side owner of a DigitHeatmapGrid's behaviour.
// Built by js/build.mjs into digitheat_widget/static/controller.js, which
// live/controller.py serves as the widget's module.
//
// Python describes the figure (digitheat_widget/figure) and sends it here in a few small
// traits: `geometry` (sizes, ticks, titles), `limits`, `colormap`, `nan_color`,
// `highlighted`, `selected`, and the tensor through one codec (`data` for the whole
// stack, `patch` for the maps that changed). This module then sets what the drawing
// layer shows, page-side only: the bqplot colour scale, colorbar axis, marks and
// tooltips of the SVG panels, or the canvas renderer's model. Python never sets those
// for a change of data, limits, colormap, highlight or selection, so each such change is
// one message.
//
// What a person does in the page is handled here too, with or without a kernel: title
// and cell clicks (caught on their way out of the bqplot and canvas models), the control
// panel's sliders, colormap menu, highlight toggles and "auto limits" button. The page
// changes at once; with a kernel the change is also sent to Python, which validates it
// and answers with its own state (a refused change is undone by that answer).
//
// Labels are user text: they are only ever set as text or attributes, never as HTML.

import {
  chooseInDropdown, dropdownChoice, fromKernel, hearAgainIfDropped, heatmapColor, interceptSends, noKernel,
  paceStates, repaintCells, resolve, resolveAll, setCellValues, setLocal, userSavesOnly,
} from './compat.js';
import { VIEWS, comparing, nextView, shownValues } from './compare.js';
import { decode, encode, patchFollows } from './codec.js';
import { Echoes } from './echoes.js';
import { tickFormat, valueFormat } from './format.js';
import {
  appendFrames, encodeFrames, frameAuto, frameCount, frameReadout, frameValues, playable,
  readFrames, relabelFrames,
} from './frames.js';
import { fitView } from './fit.js';
import { colorbarSize } from './geometry.js';
import { keyboard } from './keyboard.js';
import { limitsInForce, panelAuto, panelAutoPairs, panelPairs } from './limits.js';
import { nextFrame, pacer } from './pace.js';
import { player } from './player.js';
import { INITIALIZED, lookup, register, unregister } from './registry.js';
import { clickEvent, createState, cursorOf, labelOf } from './state.js';
import { linkedCursor } from './cursor.js';
import { drawSvgStrips } from './strip.js';
import { stylesheet } from './stylesheet.js';
import { tickLabels } from './ticks.js';

/** @typedef {import('./state.js').PageState} PageState */
/** @typedef {import('./compat.js').Model} Model */

/**
 * A colormap's '#rrggbb' stops from the menu's table (controls.py's page_refs): one
 * 'rrggbb...' string per map; an '_r' map is its base map reversed.
 * @param {Record<string, string>} table
 * @param {string | undefined} name
 * @returns {string[] | null}
 */
export function stopsOf(table, name) {
  if (!name) return null;
  const reversed = name.endsWith('_r') && !(name in table);
  const hex = table[reversed ? name.slice(0, -2) : name];
  if (typeof hex !== 'string' || !hex.length || hex.length % 6) return null;
  const stops = (hex.match(/.{6}/g) || []).map((rgb) => `#${rgb}`);
  return reversed ? stops.reverse() : stops;
}

/** Whether a state from Python changes the maps shown (pace.js gives it a frame).
 *  @param {Record<string, unknown>} state */
export const changesMaps = (state) => 'patch' in state || 'data' in state || 'frame' in state;

/** @param {{model: Model}} args */
async function initialize({ model }) {
  const state = createState(model);
  const manager = model.widget_manager;
  // What Python prints in answer to a page event goes where the last click's view
  // sends its output (JupyterLab: the notebook's log console).
  /** @type {any} */
  let lastCallbacks;
  /** @type {(content: any, callbacks?: any) => void} */
  const kernelSend = (content, callbacks) => {
    if (callbacks) lastCallbacks = callbacks;
    model.send(content, callbacks || lastCallbacks);
  };
  let partsReady = Promise.resolve();

  /** Limits set in the page (null: automatic), over the automatic limits shown (with
   *  per-panel limits, over each panel's: those held, or `panelAuto` given).
   * @param {number | null} vmin
   * @param {number | null} vmax
   * @param {import('./limits.js').Range[] | null} [panelAuto] */
  const limitsOf = (vmin, vmax, panelAuto = panelAutoPairs(state.limits)) => (
    limitsInForce(state.auto, vmin, vmax, panelAuto));

  /** Per-panel limits: each panel's automatic limits of the maps shown now, worked out
   *  here (a frame or view the page shows by itself), or null with one shared scale. */
  function shownPanelAuto() {
    if (!panelPairs(state.limits) || !state.tensor) return null;
    const count = state.tensor.shape[0];
    const ref = comparing(state) && state.reference ? state.reference.values : null;
    return panelAuto(shownValues(state), count, state.showing, ref ? state.tensor.values : null, ref);
  }

  // ---------------------------------------------------------------- drawing

  /** @param {number[] | null} indices */
  function drawData(indices) {
    const p = state.parts;
    if (!p || !state.tensor) return;
    const values = shownValues(state);
    const [count, rows, cols] = state.tensor.shape;
    if (p.canvas) {
      // A copy: patches change the controller's array in place, and ipywidgets compares
      // a new value by its contents, so the same contents would be no change at all.
      setLocal(p.canvas, { values: values.slice() });
      return;
    }
    const list = indices || [...Array(count).keys()];
    const ref = comparing(state) && state.reference ? state.reference.values : null;
    for (const index of list) {
      const mark = p.marks[index];
      if (!mark || index >= count) continue;
      const offset = index * rows * cols;
      const color = heatmapColor(values, offset, rows, cols);
      if (!repaintCells(mark, values, offset, color)) setLocal(mark, { color });
      // Comparing, each cell's data also carries both values, for the tooltip.
      if (ref) setCellValues(mark, state.tensor.values, ref, offset);
    }
  }

  function drawLimits() {
    const p = state.parts;
    if (!p) return;
    const { low, high, tick_format: fmt } = state.limits;
    const vfmt = valueFormat(fmt);
    const perPanel = panelPairs(state.limits);
    // Per-panel limits: each panel's own scale and value format.
    const panelFormats = perPanel ? perPanel.map(([lo, hi]) => valueFormat(tickFormat(lo, hi))) : null;
    if (perPanel) {
      (p.scales || []).forEach((scale, index) => {
        const range = perPanel[index];
        if (scale && range) setLocal(scale, { min: range[0], max: range[1] });
      });
    }
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
      const labels = [`${labelOf(state, index)} · row`, 'column', both ? state.showing : 'value',
        ...(both ? ['data', 'reference'] : [])];
      const own = panelFormats ? panelFormats[index] || vfmt : vfmt;
      /** @type {Record<string, any>} */
      const attrs = { formats: fields.map((f, i) => (i < 2 ? '' : own)) };
      if ((tooltip.get('fields') || []).length !== fields.length) Object.assign(attrs, { fields, labels });
      else if ((tooltip.get('labels') || [])[2] !== labels[2]) attrs.labels = labels;
      setLocal(tooltip, attrs);
    });
    if (p.canvas) {
      setLocal(p.canvas, { vmin: low, vmax: high, value_format: vfmt,
        panel_limits: perPanel || [] });
    }
  }

  function drawColormap() {
    const p = state.parts;
    if (!p) return;
    setLocal(p.scale, { colors: state.colormap.stops });
    for (const scale of p.scales || []) if (scale) setLocal(scale, { colors: state.colormap.stops });
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
      const classes = (figure.get('_dom_classes') || []).filter((/** @type {string} */ c) => c !== 'dhg-highlighted');
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
  // the page idle is drawn at once, all of it: its parts (say limits and maps) come as
  // one change event each, in the order of Python's keys, which follows Python's hash
  // seed; the drawing waits for the last (a microtask), or the first part drawn alone
  // would hold the others back to the next frame (a per-panel full update sends limits
  // and maps; with the limits first its maps showed a frame late). While the page is
  // still busy with the last drawing (less than a frame ago), what comes is drawn
  // together at the next animation frame, so a kernel that sends faster than bqplot can
  // redraw ten marks never builds a backlog here, and each frame shows the latest values.
  // With a kernel, Python's states come through pace.js first: one that changes the maps
  // while the last such one is not yet painted waits for the next frame (drawNow).
  const FRAME_MS = 16;
  /** What the page chose and told Python (or a control of the page told it), until
   *  Python answers, by part; each kept in the form Python's answer names it. */
  const limitEchoes = new Echoes();
  const colormapEchoes = new Echoes();
  const highlightEchoes = new Echoes();
  const selectEchoes = new Echoes();
  const frameEchoes = new Echoes();
  const viewEchoes = new Echoes();
  /** @param {number[]} panels */
  const panelSet = (panels) => [...panels].sort((a, b) => a - b);
  /** @type {{maps: Set<number> | 'all' | null, limits: boolean, colormap: boolean, highlight: boolean, style: boolean}} */
  const dirty = { maps: null, limits: false, colormap: false, highlight: false, style: false };
  /** Cancels the drawing asked for at the next frame (pace.js' nextFrame), if any.
   *  @type {(() => void) | null} */
  let cancelFrame = null;
  let drawnAt = -Infinity;
  let soon = false; // a drawing at the end of this message (a microtask) is due
  function redraw() {
    if (cancelFrame !== null) cancelFrame();
    cancelFrame = null;
    soon = false;
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
  /** Draws now what is waiting to be drawn (pace.js: this frame paints it). */
  function drawNow() {
    if (cancelFrame !== null || soon) redraw();
  }
  /**
   * @param {'maps' | 'limits' | 'colormap' | 'highlight' | 'style'} part
   * @param {number[] | null} [indices]
   */
  function later(part, indices) {
    if (part === 'maps') {
      if (!indices) dirty.maps = 'all';
      else if (dirty.maps !== 'all') {
        const set = dirty.maps || new Set();
        for (const index of indices) set.add(index);
        dirty.maps = set;
      }
    } else {
      dirty[part] = true;
    }
    if (cancelFrame === null && !soon) {
      if (performance.now() - drawnAt > FRAME_MS) {
        soon = true;
        queueMicrotask(() => { if (soon) redraw(); });
        return;
      }
      cancelFrame = nextFrame(redraw);
    }
  }

  // ---------------------------------------------------------------- controls

  function reflectControls() {
    const c = state.controls;
    if (!c) return;
    state.reflecting = true;
    try {
      const { low, high } = state.limits;
      for (const [slider, value] of /** @type {[Model | null, number][]} */ ([[c.vmin, low], [c.vmax, high]])) {
        if (!slider) continue;
        const min = Math.min(slider.get('min'), value);
        const max = Math.max(slider.get('max'), value);
        setLocal(slider, { min, max, value });
      }
      if (c.colormap && state.colormap.name) chooseInDropdown(c.colormap, state.colormap.name);
      const chosen = new Set(state.highlighted);
      c.toggles.forEach((toggle, index) => {
        if (toggle && toggle.get('value') !== chosen.has(index)) setLocal(toggle, { value: chosen.has(index) });
      });
      const count = frameCount(state.frames);
      if (c.frame && count) {
        const max = Math.max(count - 1, 0);
        if (c.frame.get('max') !== max || c.frame.get('value') !== state.frame) {
          setLocal(c.frame, { max, value: Math.max(0, state.frame) });
        }
      }
      if (c.show) chooseInDropdown(c.show, state.showing);
      if (c.frameLabel) {
        const text = frameReadout(state.frames, state.frame);
        if (c.frameLabel.get('value') !== text) setLocal(c.frameLabel, { value: text });
      }
    } finally {
      state.reflecting = false;
    }
  }

  /**
   * A change made in the page: applied here at once; `tell` says what Python gets.
   * @param {{limits?: any, colormap?: any, highlighted?: number[], selected?: number[]}} change
   * @param {any} tell
   * @param {any} [callbacks]
   */
  function pageChange(change, tell, callbacks) {
    if (change.limits) {
      state.limits = change.limits;
      limitEchoes.send([change.limits.vmin, change.limits.vmax]);
      later('limits');
    }
    if (change.colormap) {
      state.colormap = change.colormap;
      colormapEchoes.send(change.colormap.name);
      later('colormap');
    }
    if (change.highlighted) {
      state.highlighted = change.highlighted;
      highlightEchoes.send(panelSet(change.highlighted));
      later('highlight');
    }
    if (change.selected) {
      state.selected = change.selected;
      selectEchoes.send(change.selected);
      later('style');
    }
    reflectControls();
    if (tell) kernelSend(tell, callbacks);
  }

  /** @param {number} index @param {any} [callbacks] */
  function toggleHighlight(index, callbacks) {
    const chosen = state.highlighted.includes(index)
      ? state.highlighted.filter((i) => i !== index) : [...state.highlighted, index];
    pageChange({ highlighted: chosen }, clickEvent(state, 'highlighted', chosen), callbacks);
  }

  /** @param {number} index @param {number} row @param {number} col @param {any} [callbacks] */
  function select(index, row, col, callbacks) {
    const [count, rows, cols] = state.tensor ? state.tensor.shape : [0, 0, 0];
    if (!(index < count && row < rows && col < cols)) return;
    pageChange({ selected: [index, row, col] }, clickEvent(state, 'selected', [index, row, col]),
      callbacks);
  }

  // ---------------------------------------------------------------- frames

  /** Show frame `t` of the frames the page holds: its maps become the stack shown (and,
   *  with 'per-frame' automatic limits, Python's automatic limits of that frame the
   *  automatic limits). `tell`: a person chose it here, so Python follows.
   * @param {number} t
   * @param {boolean} tell */
  function showFrame(t, tell) {
    const f = state.frames;
    if (!f || !state.tensor || !(t >= 0 && t < f.shape[0])) return false;
    const maps = frameValues(f, t);
    if (state.tensor.values.length !== maps.length) return false;
    state.tensor.values.set(maps);
    keepStackInState();
    state.frame = t;
    model.set('frame', t, { silent: true }); // a saved or exported page opens on it
    if (state.frameLimits === 'per-frame') {
      const { vmin, vmax } = state.limits;
      state.auto = frameAuto(f, t);
      if (vmin == null || vmax == null) {
        // Per-panel limits: per frame x per panel, each panel's range in this frame.
        state.limits = limitsOf(vmin ?? null, vmax ?? null, shownPanelAuto());
        later('limits');
      }
    }
    later('maps', null);
    reflectControls();
    if (tell) {
      frameEchoes.send(t);
      kernelSend({ event: 'frame', value: [t] });
    }
    return true;
  }

  /** @type {ReturnType<typeof setInterval> | null} */
  let playing = null; // the playback timer
  function framesPerSecond() {
    const c = state.controls;
    const chosen = c && c.speed ? parseFloat(dropdownChoice(c.speed) || '') : NaN;
    return chosen > 0 ? chosen : 5;
  }
  /** @param {boolean} on */
  function play(on) {
    if (playing !== null) clearInterval(playing);
    playing = null;
    if (on && playable(state.frames)) {
      playing = setInterval(() => showFrame((state.frame + 1) % frameCount(state.frames), true),
        1000 / framesPerSecond());
    }
    state.playing = playing !== null;
    const toggle = state.controls && state.controls.play;
    if (toggle && toggle.get('value') !== state.playing) setLocal(toggle, { value: state.playing });
    for (const restyle of state.views) restyle(); // the player's button
  }
  /** @param {number} by */
  function stepFrame(by) {
    const count = frameCount(state.frames);
    if (count) showFrame(Math.max(0, Math.min(count - 1, state.frame + by)), true);
  }

  /** Show `view` ('data', 'reference' or 'difference'): what the page holds, with
   *  that view's automatic limits (Python's) and colormap. `tell`: a person chose it.
   * @param {string | undefined} view
   * @param {boolean} tell
   * @returns {boolean} whether it is shown (the page holds a reference, and it is a view) */
  function showView(view, tell) {
    if (!state.reference || !view || !VIEWS.includes(view)) return false;
    const info = state.compare || {};
    state.showing = view;
    if (info.auto && info.auto[view]) state.auto = info.auto[view];
    // Per-panel limits: each panel's own, by the view's rule (the difference symmetric).
    state.limits = limitsOf(null, null, shownPanelAuto());
    const colormaps = info.colormaps || {};
    const colormap = view === 'difference' ? colormaps.difference : colormaps.base;
    if (colormap) state.colormap = colormap;
    model.set('compare', { ...info, showing: view }, { silent: true });
    later('maps', null);
    later('limits');
    later('colormap');
    reflectControls();
    if (tell) {
      viewEchoes.send(view);
      kernelSend({ event: 'showing', value: [VIEWS.indexOf(view)] });
    }
    return true;
  }

  // The linked cursor (cursor.js). Python hears where it settles: at most one message per
  // CURSOR_MS (the first at once, the last always), each for another cell.
  const CURSOR_MS = 50;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let cursorTimer = null;
  /** @type {string} */
  let cursorSent = JSON.stringify(model.get('cursor') || []);
  function tellCursor() {
    const value = state.cursor ? [...state.cursor] : [];
    if (JSON.stringify(value) === cursorSent) return;
    cursorSent = JSON.stringify(value);
    kernelSend({ event: 'cursor', value });
    cursorTimer = setTimeout(() => {
      cursorTimer = null;
      tellCursor();
    }, CURSOR_MS);
  }
  /** @param {[number, number] | null} cell @param {boolean} tell */
  function setCursor(cell, tell) {
    state.cursor = cell ? [cell[0], cell[1]] : null;
    // A saved or exported page opens with it; no echo (the page holds what it shows).
    model.set('cursor', state.cursor ? [...state.cursor] : [], { silent: true });
    for (const redraw of state.cursorViews) redraw();
    if (tell && cursorTimer === null) tellCursor();
  }

  state.actions = {
    setCursor,
    select, toggleHighlight, stepFrame, showFrame, play: () => play(playing === null),
    // Paged: Python reads the other page and sends it (no kernel, no other page).
    turnPage: (step) => {
      const { page, page_count: count } = state.paging;
      if (page === undefined || count === undefined || !(page + step >= 0 && page + step < count)) return false;
      if (noKernel(manager)) return false; // an exported page: it holds this page only
      kernelSend(clickEvent(state, 'page', [page + step])); // named by its stack, as clicks are
      return true;
    },
    nextView: () => showView(nextView(state.showing), true),
  };

  /** @param {import('./state.js').Controls} c */
  function watchControls(c) {
    // Only what a person does in the page is applied here: a control's change that came
    // from the kernel (under ipywidgets' state lock) already has its own way in through
    // the grid's model, and echoing it would send Python a value it has moved past.
    /** @param {Model | null} control */
    const ignored = (control) => state.reflecting || fromKernel(control);
    for (const control of [c.vmin, c.vmax, c.colormap, c.play, c.frame, c.speed, c.show, ...c.toggles]) {
      userSavesOnly(control, () => state.reflecting);
    }
    /** @param {Model} control */
    const onSlider = (control) => {
      if (ignored(control) || !c.vmin || !c.vmax) return;
      const lo = +c.vmin.get('value');
      const hi = +c.vmax.get('value');
      if (lo < hi) {
        pageChange({ limits: limitsOf(lo, hi) }, null); // the sliders tell Python
      } else {
        reflectControls(); // vmin dragged past vmax: back to the limits in force
      }
    };
    for (const slider of [c.vmin, c.vmax]) if (slider) slider.on('change:value', () => onSlider(slider));
    const menu = c.colormap;
    if (menu) {
      menu.on('change:index', () => {
        if (ignored(menu)) return;
        const name = dropdownChoice(menu);
        const stops = stopsOf(model.get('colormaps') || {}, name);
        if (!stops || !name) return;
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
    const slider = c.frame;
    if (slider) {
      slider.on('change:value', () => {
        if (ignored(slider)) return;
        const t = slider.get('value') | 0;
        if (showFrame(t, false)) frameEchoes.send(t); // the slider tells Python
      });
    }
    const toggle = c.play;
    if (toggle) {
      toggle.on('change:value', () => {
        // Python may press play too: the page plays.
        if (!state.reflecting && (playing !== null) !== !!toggle.get('value')) play(!!toggle.get('value'));
      });
    }
    if (c.speed) c.speed.on('change:index', () => { if (playing !== null) play(true); });
    const show = c.show;
    if (show) {
      show.on('change:index', () => {
        if (ignored(show)) return;
        const view = dropdownChoice(show);
        if (view !== state.showing && showView(view, false)) viewEchoes.send(view); // the menu tells Python
      });
    }
    interceptSends(c.reset, (content) => {
      if (content.event === 'click') pageChange({ limits: limitsOf(null, null) }, null);
      return true; // Python's button handler resets its traits too
    });
  }

  // ---------------------------------------------------------------- parts

  async function resolveParts() {
    const [scale, axis, colorbar, canvas, marks, tooltips, figures, titles, scales] = await Promise.all([
      resolve(manager, model.get('color_scale')),
      resolve(manager, model.get('colorbar_axis')),
      resolve(manager, model.get('colorbar')),
      resolve(manager, model.get('canvas')),
      resolveAll(manager, model.get('marks')),
      resolveAll(manager, model.get('tooltips')),
      resolveAll(manager, model.get('figures')),
      resolveAll(manager, model.get('titles')),
      resolveAll(manager, model.get('scales') || []),
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
    state.parts = { scale, axis, colorbar, colorbarLayout, canvas, marks, tooltips, figures, titles, scales };
    const refs = model.get('controls') || {};
    if (refs.vmin) {
      const [vmin, vmax, colormap, reset, toggles, playToggle, frameSlider, frameLabel, speed, show] = await Promise.all([
        resolve(manager, refs.vmin), resolve(manager, refs.vmax), resolve(manager, refs.colormap),
        resolve(manager, refs.reset), resolveAll(manager, refs.toggles),
        resolve(manager, refs.play), resolve(manager, refs.frame),
        resolve(manager, refs.frame_label), resolve(manager, refs.speed), resolve(manager, refs.show),
      ]);
      state.controls = {
        vmin, vmax, colormap, reset, toggles, play: playToggle, frame: frameSlider, frameLabel, speed, show,
      };
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
    if (state.tensor) model.set('data', encode(state.tensor), { silent: true });
  }
  /** The model's `frames` follows the page's frames, as keepStackInState does. */
  function keepFramesInState() {
    if (state.frames) model.set('frames', encodeFrames(state.frames), { silent: true });
  }

  model.on('change:data', () => {
    const tensor = decode(model.get('data'));
    if (tensor) {
      state.tensor = tensor;
      keepStackInState();
      later('maps', null);
    }
  });
  /** Put a patch's maps into the stack held, if it follows it: the next in sequence, or
   *  a patch Python sends when a cell ends with every map changed since the whole stack
   *  `base` (a notebook saved by nbconvert or myst-nb holds that stack and this patch).
   *  Otherwise a patch was missed: ask for the whole stack.
   *  @param {any} patch @returns {boolean} whether it was applied */
  function applyPatch(patch) {
    const maps = decode(patch);
    const held = state.tensor;
    if (!maps || !held) return false;
    if (!patchFollows(patch, maps.seq, held.seq)) {
      model.send({ event: 'resync' });
      return false;
    }
    const [, rows, cols] = held.shape;
    const size = rows * cols;
    (patch.indices || []).forEach((/** @type {number} */ index, /** @type {number} */ j) => {
      held.values.set(maps.values.subarray(j * size, (j + 1) * size), index * size);
    });
    held.seq = maps.seq;
    keepStackInState();
    return true;
  }

  model.on('change:patch', () => {
    const patch = model.get('patch') || {};
    if (applyPatch(patch)) later('maps', patch.indices || []);
  });
  model.on('change:geometry', () => {
    state.layout = model.get('geometry') || {};
    later('limits');
    later('style');
  });
  model.on('change:frames', () => {
    state.frames = readFrames(model.get('frames'));
    keepFramesInState();
    // Whole frames come with no maps: Python's data is the frame it names, of these
    // frames (the same index may name other maps than the page's, or change:frame came
    // first and showed it from the frames held before).
    if (!showFrame(model.get('frame') ?? -1, false)) reflectControls();
    later('style'); // the summary names the frame by its label
  });
  model.on('change:frames_patch', () => {
    const patch = model.get('frames_patch') || {};
    const held = state.frames;
    if (!held) return;
    // The frames recorded (their maps), or every frame's new labels alone (`relabel`).
    const added = patch.relabel ? null : decode(patch);
    const seq = patch.relabel ? patch.seq : added && added.seq;
    if (seq === null || seq === undefined) return;
    if (seq !== held.seq + 1) {
      model.send({ event: 'resync', part: 'frames' });
      return;
    }
    state.frames = added ? appendFrames(held, added, patch) : relabelFrames(held, patch);
    keepFramesInState();
    reflectControls();
    later('style');
  });
  model.on('change:reference', () => {
    state.reference = decode(model.get('reference'));
    later('maps', null);
    later('limits'); // the tooltips' fields
  });
  model.on('change:compare', () => {
    state.compare = model.get('compare') || {};
    if (viewEchoes.stale(state.compare.showing)) { // an answer to a view left since
      state.compare = { ...state.compare, showing: state.showing };
      // Its limits and colormap may come after this part (Python's key order): the
      // page's own view again once the message is read, before the next frame.
      queueMicrotask(() => showView(state.showing, false));
      return;
    }
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
    if (frameEchoes.stale(t)) { // an answer to a frame the page has moved past
      // Its limits may come after this part: the page's own frame again once the
      // message is read, before the next frame.
      queueMicrotask(() => showFrame(state.frame, false));
      return;
    }
    // Python shows a frame from the frames the page holds (a frame just recorded
    // is the stack shown already); the page's own choice comes back as no change.
    if (t !== state.frame && !showFrame(t, false)) {
      state.frame = t; // -1: the data is none of the frames (Python assigned data since)
      reflectControls();
      later('style'); // the summary says so
    }
  });
  model.on('change:limits', () => {
    const limits = model.get('limits') || {};
    // Python's answer to a slider value the page has moved past: it shows the latest.
    if (limitEchoes.stale([limits.vmin, limits.vmax])) return;
    state.limits = limits;
    later('limits');
    reflectControls();
  });
  model.on('change:auto_limits', () => {
    state.auto = model.get('auto_limits') || [0, 1];
  });
  model.on('change:colormap', () => {
    const colormap = model.get('colormap') || {};
    if (colormapEchoes.stale(colormap.name)) return; // an answer to a colormap left since
    state.colormap = colormap;
    later('colormap');
    reflectControls();
  });
  model.on('change:highlighted', () => {
    const highlighted = model.get('highlighted') || [];
    if (highlightEchoes.stale(panelSet(highlighted))) return; // an answer to a choice left since
    state.highlighted = highlighted;
    later('highlight');
    reflectControls();
  });
  model.on('change:selected', () => {
    const selected = model.get('selected') || [];
    if (selectEchoes.stale(selected)) return; // an answer to a cell clicked before the last
    state.selected = selected;
    later('style');
  });
  model.on('change:nan_color', () => {
    state.nanColor = model.get('nan_color');
    later('style');
  });
  model.on('change:cursor', () => {
    const cell = cursorOf(model.get('cursor'));
    cursorSent = JSON.stringify(cell || []); // Python's: nothing to tell it
    setCursor(cell, false);
  });
  model.on('change:marks change:canvas change:controls change:colorbar change:titles change:scales', reresolve);
  model.on('change:show_player', () => {
    state.showPlayer = model.get('show_player') ?? true;
    later('style');
  });

  state.tensor = decode(model.get('data'));
  state.frames = readFrames(model.get('frames'));
  state.reference = decode(model.get('reference'));
  state.compare = model.get('compare') || {};
  state.showing = state.compare.showing || 'data';
  state.frame = model.get('frame') ?? -1;
  state.frameLimits = model.get('frame_limits') || 'fixed';
  const patch = model.get('patch') || {};
  if (state.tensor && patch.seq > state.tensor.seq) applyPatch(patch);
  keepStackInState();
  let uid = state.layout.uid;
  register(uid, state);
  model.on('change:geometry', () => {
    unregister(uid, state);
    uid = (model.get('geometry') || {}).uid;
    register(uid, state);
  });
  reresolve();
  await partsReady;
  // If anywidget gave up on this model while the page was busy, hear Python again and
  // ask for all it said meanwhile (its canvas renderer, an anywidget too, likewise).
  const ownId = model.get('own_id');
  if (ownId && !noKernel(manager)) {
    manager.get_model(ownId).then((own) => {
      hearAgainIfDropped(own, () => kernelSend({ event: 'resync', part: 'all' }));
      paceStates(own, (apply) => pacer({ apply, takesFrame: changesMaps, draw: drawNow }));
    }, () => undefined);
  }
  if (state.parts && state.parts.canvas) hearAgainIfDropped(state.parts.canvas, () => undefined);
  if (typeof window !== 'undefined') window.dispatchEvent(new CustomEvent(INITIALIZED, { detail: uid }));
  return () => unregister(uid, state);
}

/**
 * The view, inside the grid but out of its flow and invisible: the grid's <style> (NaN
 * colour, highlight outline and the selected cell of the SVG panels), the keyboard (the
 * panels and colorbar are one tab stop; keyboard.js) and a polite live region that reads
 * out the focused cell. With frames and no control panel it puts the compact player
 * (player.js) under the grid's drawing.
 * @param {{model: Model, el: HTMLElement}} args
 */
function render({ model, el }) {
  const style = document.createElement('style');
  const live = document.createElement('div');
  live.setAttribute('aria-live', 'polite');
  live.className = 'dhg-announce';
  el.append(style, live);
  el.classList.add('dhg-controller');
  const uid = () => (model.get('geometry') || {}).uid;
  /** @type {ReturnType<typeof keyboard>} */
  let keys = null;
  /** @type {ReturnType<typeof fitView>} */
  let fitted = null; // this display fitted to its container's width (fit.js)
  /** @type {ReturnType<typeof player>} */
  let controls = null;
  /** @type {ReturnType<typeof linkedCursor>} */
  let linked = null; // the linked cursor's marks and readout (cursor.js)
  const layoutOf = () => (fitted ? fitted.layout() : lookup(uid())?.layout || {});
  /** Per-panel limits: each SVG panel's scale strip (the canvas draws its own); again
   *  when bqplot draws a panel figure after the last redraw.
   * @param {PageState} state */
  const strips = (state) => {
    const root = el.isConnected ? el.closest('.digitheat-grid') : null;
    const body = root && /** @type {HTMLElement | null} */ (root.querySelector('.dhg-body'));
    if (body && !(state.parts && state.parts.canvas)) {
      drawSvgStrips(body, layoutOf(), panelPairs(state.limits),
        state.colormap.stops || []);
    }
  };
  const restyle = () => {
    /** @type {PageState | undefined} */
    const state = lookup(uid());
    if (!state) return;
    if (fitted && fitted.stale()) { // a new drawing: fitted again
      fitted.remove();
      fitted = null;
    }
    if (!fitted && el.isConnected) fitted = fitView(state, el, restyle);
    if (fitted) fitted.refresh();
    // Written only when it changes: each write is a mutation the observer below sees, and
    // a grid whose drawing was closed (stale keys, restyled on every mutation) looped.
    const css = stylesheet(state) + (fitted ? fitted.css() : '');
    if (style.textContent !== css) style.textContent = css;
    if (keys && keys.stale()) { // a new drawing: the keys go with it
      keys.remove();
      keys = null;
    }
    if (!keys && el.isConnected) keys = keyboard(state, el, live, layoutOf);
    if (keys) keys.refresh();
    strips(state);
    if (!controls && el.isConnected) controls = player(state, el);
    if (controls) controls.refresh();
    if (linked && linked.stale()) {
      linked.remove();
      linked = null;
    }
    if (!linked && el.isConnected) linked = linkedCursor(state, el, layoutOf);
    if (linked) linked.refresh();
  };
  const redrawCursor = () => { if (linked) linked.refresh(); };
  /** @type {PageState | undefined} */
  const state = lookup(uid());
  if (state) {
    state.views.add(restyle);
    state.cursorViews.add(redrawCursor);
  }
  restyle();
  // Drawn before it is attached, the view cannot find its grid yet. Then ipywidgets makes
  // a new drawing when the grid's rows change (the control panel shown or hidden), and
  // gives it its class once displayed, after it is in the grid.
  /** @type {Element} */
  let watching = document.body;
  const attached = new MutationObserver(() => {
    if (el.isConnected && (!keys || keys.stale())) restyle();
    else if (el.isConnected) {
      const now = lookup(uid());
      if (now && panelPairs(now.limits) && watching.querySelectorAll('.dhg-strip').length
        < watching.querySelectorAll('.dhg-panel').length) strips(now);
    }
    const root = keys && el.closest('.digitheat-grid');
    if (root && watching !== root) {
      attached.disconnect();
      attached.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['class'] });
      watching = root;
    }
  });
  attached.observe(document.body, { childList: true, subtree: true });
  return () => {
    attached.disconnect();
    if (state) {
      state.views.delete(restyle);
      state.cursorViews.delete(redrawCursor);
    }
    if (keys) keys.remove();
    if (linked) linked.remove();
    if (fitted) fitted.remove();
    if (controls) controls.remove();
    style.remove();
    live.remove();
  };
}

export default { initialize, render };
