// @ts-check
// Every private detail of other packages the page relies on, each named once, here.
// Upgrading ipywidgets, bqplot, noUiSlider or JupyterLab (Lumino) means checking this
// file: the versions they were checked on are pyproject.toml's ranges (and
// digitheat_widget/versions.py), exercised by tests/pages/test_embed.py and the
// JupyterLab suite (tests/lab/) on the newest and lowest versions.
//
// Public parts of those packages (a model's get/set/on/send, bqplot traits such as a
// ColorScale's min/max/colors, a Figure's fig_margin, a Tooltip's fields/labels/formats,
// a DOMWidget's _dom_classes, a slider's min/max/value) are used directly elsewhere.

/**
 * @typedef {object} Model  what the page uses of a Backbone widget model (ipywidgets)
 * @property {(name: string) => any} get
 * @property {(attrs: any, value?: any, options?: object) => void} set
 * @property {(events: string, fn: (...args: any[]) => void) => void} on
 * @property {(events: string, fn: (...args: any[]) => void) => void} [off]
 * @property {(content: any, callbacks?: any, ...rest: any[]) => any} send
 * @property {(...args: any[]) => any} [save_changes]
 * @property {any} [widget_manager]
 * @property {Record<string, any>} [_buffered_state_diff]  ipywidgets, private
 * @property {any} [_state_lock]  ipywidgets, private
 * @property {any[]} [mark_data]  bqplot GridHeatMap, private
 * @property {Record<string, any>} [views]  ipywidgets, private
 * @property {((content: any, callbacks?: any) => boolean)} [__digitheatIntercept]  ours
 * @property {boolean} [__digitheatUserSaves]  ours
 */

/** ipywidgets' widget_serialization: a reference to another model is 'IPY_MODEL_' + id. */
export const REF = 'IPY_MODEL_';

/**
 * The model a reference names (the manager's get_model, public), or null when closed.
 * @param {any} manager
 * @param {unknown} ref
 * @returns {Promise<Model | null>}
 */
export async function resolve(manager, ref) {
  if (typeof ref !== 'string' || !ref.startsWith(REF)) return null;
  try {
    return await manager.get_model(ref.slice(REF.length));
  } catch (error) {
    return null; // closed meanwhile
  }
}

/**
 * @param {any} manager
 * @param {unknown[] | null | undefined} refs
 * @returns {Promise<(Model | null)[]>}
 */
export async function resolveAll(manager, refs) {
  return Promise.all((refs || []).map((ref) => resolve(manager, ref)));
}

/**
 * Load a widget model class, and so its module, as the manager does for a model it is
 * about to create: ipywidgets 8's `loadModelClass` (ManagerBase, protected; checked on
 * 8.0-8.1), which reports a class that fails to load itself and gives an error model
 * class instead. Rejects where the manager has no such method (another manager).
 * @param {any} manager
 * @param {string} name
 * @param {string} module
 * @param {string} version
 * @returns {Promise<unknown>}
 */
export async function loadModelClass(manager, name, module, version) {
  if (!manager || typeof manager.loadModelClass !== 'function') {
    throw new Error('this widget manager cannot load a class alone');
  }
  return manager.loadModelClass(name, module, version);
}

let warnedDiff = false;
/**
 * Set attributes on another widget's model in this page only. ipywidgets (private
 * `_buffered_state_diff`, checked on 8.0-8.1) keeps a running diff of set() calls and
 * sends it with the model's next save_changes(); these values came from Python or
 * belong to the page, and must not be echoed back.
 * @param {Model | null | undefined} model
 * @param {Record<string, any>} attrs
 */
export function setLocal(model, attrs) {
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
 * Whether a model is being updated from the kernel: ipywidgets (private `_state_lock`)
 * holds the state just received while it applies it.
 * @param {Model | null | undefined} model
 */
export function fromKernel(model) {
  return !!(model && model._state_lock);
}

/**
 * A bqplot GridHeatMap's `color` as its deserializer gives it: a list of row arrays.
 * @param {ArrayLike<number> & {slice(start: number, end: number): ArrayLike<number>}} values
 * @param {number} offset
 * @param {number} rows
 * @param {number} cols
 */
export function heatmapColor(values, offset, rows, cols) {
  const out = [];
  for (let r = 0; r < rows; r++) out.push(values.slice(offset + r * cols, offset + (r + 1) * cols));
  return out;
}

/**
 * New values for a bqplot GridHeatMap of the same shape, painted without its full
 * redraw. bqplot (private API, checked on 0.13) rebuilds its cell data on a new `color`
 * and redraws every cell, its layout and labels: ten marks so redrawn took longer than
 * a frame. Here the model's cell data (`mark_data`, bound to its cells, which tooltips
 * read) take the values in place, the model's `color` follows silently, and each view
 * (`views`) sets its cells' fill (`displayCells`, a d3 selection) with its own
 * `get_element_fill`, so the colours are bqplot's. Returns false, for the full redraw,
 * when the mark is not in the state this expects.
 * @param {Model} mark
 * @param {ArrayLike<number>} values
 * @param {number} offset
 * @param {ArrayLike<number>[]} color
 */
export function repaintCells(mark, values, offset, color) {
  const cells = mark.mark_data;
  const size = color.length * (color[0] ? color[0].length : 0);
  if (!Array.isArray(cells) || cells.length !== size || !mark.views) return false;
  for (let i = 0; i < size; i++) cells[i].color = values[offset + i];
  mark.set('color', color, { silent: true });
  if (mark._buffered_state_diff) delete mark._buffered_state_diff.color;
  for (const pending of Object.values(mark.views)) {
    Promise.resolve(pending).then((view) => {
      if (view && view.displayCells && typeof view.get_element_fill === 'function') {
        view.displayCells.style('fill', (/** @type {any} */ d) => view.get_element_fill(d));
      }
    });
  }
  return true;
}

/**
 * Both values of each cell, for bqplot's tooltip of a GridHeatMap (its `mark_data`
 * entries are what the tooltip's fields read: 'data' and 'reference' are ours).
 * @param {Model} mark
 * @param {ArrayLike<number>} data
 * @param {ArrayLike<number>} reference
 * @param {number} offset
 */
export function setCellValues(mark, data, reference, offset) {
  if (!Array.isArray(mark.mark_data)) return;
  mark.mark_data.forEach((cell, i) => {
    cell.data = data[offset + i];
    cell.reference = reference[offset + i];
  });
}

/**
 * Call `handler(content, callbacks)` for the custom messages a model's views send to
 * Python (bqplot's GridHeatMap sends {event: 'element_click', data: {rowNum,
 * columnNum}}, ipywidgets' Button {event: 'click'}); the message goes on to Python only
 * when the handler returns true. The views call the model's `send`, so it is wrapped.
 * @param {Model | null | undefined} model
 * @param {(content: any, callbacks?: any) => boolean} handler
 */
export function interceptSends(model, handler) {
  if (!model || model.__digitheatIntercept) return;
  const original = model.send.bind(model);
  model.__digitheatIntercept = handler;
  model.send = (content, callbacks, ...rest) => {
    // The sending view's callbacks route what Python prints in answer (e.g. a click
    // callback's traceback) to that view's output, as the original message would.
    if (model.__digitheatIntercept && model.__digitheatIntercept(content || {}, callbacks)) {
      return original(content, callbacks, ...rest);
    }
    return undefined;
  };
}

/** A message method ipywidgets' models ignore: `hearAgainIfDropped`'s probe. */
const PROBE = 'digitheat-probe';

/**
 * Makes `model` hear Python again if anywidget gave up on it. anywidget (0.9 to 0.11)
 * gives a model 2 s from its creation to import its module and run `initialize`; past
 * that, its `_handle_comm_msg` rejects every message from Python, for good ("[anywidget]
 * Failed to initialize model."), while the page's own sends still go. A page busy for
 * 2 s meanwhile (a large SVG grid drawing, another heavy output of the same cell, a slow
 * phone) left a grid showing its first values and deaf to Python.
 *
 * A probe (a message of a method ipywidgets ignores) goes through anywidget's handler,
 * without waiting for it: once anywidget is ready it is a no-op; if anywidget gave up,
 * it fails, and then Python's messages go to the handler anywidget's would have called,
 * ipywidgets' own, and `dropped()` runs (to ask Python for what the page missed).
 * `model` is the widget manager's model (anywidget hands `initialize` a proxy).
 * @param {any} model
 * @param {() => void} dropped
 */
export function hearAgainIfDropped(model, dropped) {
  const comm = model && model.comm;
  const handle = model && model._handle_comm_msg;
  if (!comm || typeof comm.on_msg !== 'function' || typeof handle !== 'function') return;
  // The handler anywidget's wraps: the first one up the prototype chain that differs.
  let proto = Object.getPrototypeOf(model);
  while (proto && proto._handle_comm_msg === handle) proto = Object.getPrototypeOf(proto);
  const own = proto && proto._handle_comm_msg;
  if (typeof own !== 'function') return; // nothing wraps ipywidgets' handler
  Promise.resolve()
    .then(() => handle.call(model, { content: { data: { method: PROBE } }, buffers: [] }))
    .then(() => undefined, () => {
      comm.on_msg((/** @type {any} */ msg) => own.call(model, msg));
      dropped();
    });
}

/**
 * Puts each state Python sends a model through `offer` instead of applying it at once.
 * ipywidgets (8.0-8.1) applies every 'update' and 'echo_update' message of the kernel,
 * once deserialized, with the model's `set_state(state)`, all its parts in one call and
 * in the order the messages came; `apply` is that method. Returns false, and changes
 * nothing, for a model without it.
 * @param {any} model the widget manager's model
 * @param {(apply: (state: any) => void) => {offer(state: any): void}} pace
 */
export function paceStates(model, pace) {
  if (!model || typeof model.set_state !== 'function' || model.__digitheatPaced) return false;
  const setState = model.set_state;
  const paced = pace((state) => setState.call(model, state));
  model.__digitheatPaced = true;
  model.set_state = (/** @type {any} */ state) => paced.offer(state);
  return true;
}

/**
 * Sends a control's state to Python only for what a person did. ipywidgets' slider views
 * "touch" (save_changes) from inside a programmatic update too: when a new range or value
 * reaches noUiSlider, it reports the value snapped to its step or clamped to the old
 * range, and the view sends that back as if the handle had moved. Coming from the kernel
 * (under `_state_lock`) or from the controller's own reflection, that value is stale or
 * rounded: dropped, with the pending `_buffered_state_diff`.
 * @param {Model | null | undefined} model
 * @param {() => boolean} reflecting
 */
export function userSavesOnly(model, reflecting) {
  if (!model || model.__digitheatUserSaves || !model.save_changes) return;
  model.__digitheatUserSaves = true;
  const original = model.save_changes.bind(model);
  model.save_changes = (...args) => {
    if (!model._state_lock && !reflecting()) return original(...args);
    model._buffered_state_diff = {};
    return undefined;
  };
}

/**
 * A Dropdown's choice by name: its model in the page knows only `index` into the
 * private `_options_labels`.
 * @param {Model | null | undefined} dropdown
 * @returns {string | undefined}
 */
export function dropdownChoice(dropdown) {
  if (!dropdown) return undefined;
  return (dropdown.get('_options_labels') || [])[dropdown.get('index')];
}

/**
 * Choose `name` in a Dropdown (page-side only); false when it has no such option.
 * @param {Model | null | undefined} dropdown
 * @param {string} name
 */
export function chooseInDropdown(dropdown, name) {
  if (!dropdown) return false;
  const index = (dropdown.get('_options_labels') || []).indexOf(name);
  if (index < 0) return false;
  if (dropdown.get('index') !== index) setLocal(dropdown, { index });
  return true;
}

/**
 * Whether the widget manager is our exported page's (js/src/index.js sets `noKernel`):
 * nothing sent reaches Python there.
 * @param {any} manager
 */
export function noKernel(manager) {
  return !!(manager && manager.noKernel);
}

/**
 * JupyterLab's and Notebook 7's shortcuts (Lumino) are matched on the document in the
 * capture phase, before the grid sees a key. Lumino skips elements marked
 * `data-lm-suppress-shortcuts`: the grid wears the mark while one of its own keys is
 * dispatched (until the next task), so other shortcuts (save...) still work.
 * @param {HTMLElement} el
 */
export function suppressShortcutsOnce(el) {
  el.setAttribute('data-lm-suppress-shortcuts', 'true');
  setTimeout(() => el.removeAttribute('data-lm-suppress-shortcuts'), 0);
}

/**
 * The range [min, max] of the noUiSlider a handle belongs to (undefined when none is
 * found). noUiSlider keeps it in the public `noUiSlider.options` of its target element,
 * which its updateOptions (ipywidgets' slider views call it for a new min/max) keeps
 * current; the `noUi-target` class names that element. ipywidgets gives numbers.
 * @param {Element} handle
 * @returns {number[] | undefined}
 */
export function sliderRange(handle) {
  const range = /** @type {any} */ (handle.closest('.noUi-target'))?.noUiSlider?.options.range;
  return range && [range.min, range.max];
}

/** Class names and selectors of other packages' DOM that the page's CSS and labels use. */
export const DOM = {
  /** bqplot GridHeatMap: a row group, and a cell in it (nth-of-type counts them). */
  heatmapRow: 'g.heatmaprow',
  heatmapCell: 'rect.heatmapcell',
  /** bqplot Figure: the title text. */
  figureTitle: '.mainheading',
  /** ipywidgets: the class of a view whose kernel went away (and its ::before banner). */
  disconnected: 'jupyter-widgets-disconnected',
  /** noUiSlider (in ipywidgets' sliders): a handle, which gets our aria-label. */
  sliderHandle: '.noUi-handle',
  /** ipywidgets' ToggleButton: gets our aria-pressed. */
  toggleButton: '.widget-toggle-button',
};
