// @ts-check
// The controller's page state: what Python sent (the figure's parts, the stack, the
// frames, the reference) and what the page changed since. One object per grid, made by
// `createState` in the controller's initialize, read by its views through registry.js.

import { tickFormat, valueFormat, valueText } from './format.js';
import { panelPairs } from './limits.js';

/** @typedef {import('./codec.js').Tensor} Tensor */
/** @typedef {import('./geometry.js').PageLayout} PageLayout */
/** @typedef {import('./limits.js').PageLimits} PageLimits */
/** @typedef {import('./limits.js').Range} Range */
/** @typedef {import('./frames.js').FrameStack} FrameStack */
/** @typedef {import('./compat.js').Model} Model */

/**
 * @typedef {object} Colormap  Figure.page_colormap()
 * @property {string | null} [name]
 * @property {string[]} [stops]
 */

/**
 * @typedef {object} Paging  which stack the maps belong to and, paged, which page
 *   (controller.py's `paging`)
 * @property {number} [stack]  Python's number for the stack: clicks name it
 * @property {number} [page]
 * @property {number} [page_count]
 * @property {number} [offset]
 * @property {number} [total]
 */

/**
 * @typedef {object} CompareInfo  compare's view state (controller.py's `compare`)
 * @property {string} [showing]
 * @property {Record<string, Range>} [auto]
 * @property {{base?: Colormap, difference?: Colormap}} [colormaps]
 */

/**
 * @typedef {object} Parts  the drawing models, resolved (controller.js's resolveParts)
 * @property {Model | null} scale
 * @property {Model | null} axis
 * @property {Model | null} colorbar
 * @property {Model | null} colorbarLayout
 * @property {Model | null} canvas
 * @property {(Model | null)[]} marks
 * @property {(Model | null)[]} tooltips
 * @property {(Model | null)[]} figures
 * @property {(Model | null)[]} titles
 * @property {(Model | null)[]} [scales]  per-panel limits: each SVG panel's ColorScale
 */

/**
 * @typedef {object} Controls  the control panel's models
 * @property {Model | null} vmin
 * @property {Model | null} vmax
 * @property {Model | null} colormap
 * @property {Model | null} reset
 * @property {(Model | null)[]} toggles
 * @property {Model | null} play
 * @property {Model | null} frame
 * @property {Model | null} frameLabel
 * @property {Model | null} speed
 * @property {Model | null} show
 */

/**
 * @typedef {object} Actions  what keys and canvas clicks can do (set by the controller)
 * @property {(index: number, row: number, col: number, callbacks?: any) => void} select
 * @property {(index: number, callbacks?: any) => void} toggleHighlight
 * @property {(by: number) => void} stepFrame
 * @property {(t: number, tell: boolean) => boolean} showFrame  frame t; `tell`: Python follows
 * @property {() => void} play  play or pause
 * @property {(step: number) => boolean} turnPage
 * @property {() => void} nextView
 * @property {(cell: [number, number] | null, tell: boolean) => void} setCursor  the linked
 *   cursor at (row, column), or off; `tell`: Python follows
 */

/**
 * @typedef {object} PageState
 * @property {PageLayout} layout
 * @property {PageLimits} limits
 * @property {Range} auto  the automatic limits of what is shown
 * @property {Colormap} colormap
 * @property {string} nanColor
 * @property {number[]} highlighted
 * @property {number[]} selected  [digit, row, col] or []
 * @property {[number, number] | null} cursor  the linked cursor's (row, column), or null (off)
 * @property {Tensor | null} tensor
 * @property {FrameStack | null} frames
 * @property {Paging} paging
 * @property {number} frame  -1 for none
 * @property {string} frameLimits  'fixed' or 'per-frame'
 * @property {Tensor | null} reference
 * @property {string} showing  'data', 'reference' or 'difference'
 * @property {CompareInfo} compare
 * @property {Parts | null} parts
 * @property {Controls | null} controls
 * @property {boolean} showPlayer  the controller's show_player: with frames, the page shows
 *   the compact player (player.js)
 * @property {boolean} playing  the frames are playing
 * @property {Set<() => void>} views  restyle callbacks of the controller's views
 * @property {Set<() => void>} cursorViews  the views' linked cursors, redrawn alone when it
 *   moves (cursor.js)
 * @property {boolean} reflecting  the controls are being set from the state
 * @property {Actions} actions
 */

/** @type {Actions} */
const NO_ACTIONS = {
  select() {}, toggleHighlight() {}, stepFrame() {}, showFrame: () => false, play() {},
  turnPage: () => false, nextView() {}, setCursor() {},
};

/**
 * A grid's page state from its controller model's first values.
 * @param {Model} model
 * @returns {PageState}
 */
export function createState(model) {
  return {
    layout: model.get('geometry') || {},
    limits: model.get('limits') || {},
    auto: model.get('auto_limits') || [0, 1],
    colormap: model.get('colormap') || {},
    nanColor: model.get('nan_color'),
    highlighted: model.get('highlighted') || [],
    selected: model.get('selected') || [],
    cursor: cursorOf(model.get('cursor')),
    tensor: null,
    frames: null,
    paging: model.get('paging') || {},
    frame: -1,
    frameLimits: 'fixed',
    reference: null,
    showing: 'data',
    compare: {},
    parts: null,
    controls: null,
    showPlayer: model.get('show_player') ?? true,
    playing: false,
    views: new Set(),
    cursorViews: new Set(),
    reflecting: false,
    actions: NO_ACTIONS,
  };
}

/**
 * [count, rows, cols] of the stack shown ([0, 0, 0] before one came).
 * @param {PageState} state
 * @returns {number[]}
 */
export function shapeOf(state) {
  return state.tensor ? state.tensor.shape : [0, 0, 0];
}

/**
 * Panel `p`'s title (its index where it has none).
 * @param {PageState} state
 * @param {number} p
 */
export function labelOf(state, p) {
  return String((state.layout.labels || [])[p] ?? p);
}

/**
 * What the page tells Python of a click (`selected`, `highlighted`) on the page shown,
 * whose panels it names in the page's own indices, or of a page turn (`page`: the keys
 * past the first or last cell). It carries the stack its maps belong to (`stack`,
 * Python's number, which comes with the maps), where its page starts (`offset`, 0
 * unpaged) and how many panels it shows (`count`): Python may have turned the page before
 * the click arrives, and still finds the panels clicked, or have been given another
 * stack, and ignores the click or the turn. A controller state without a stack (saved
 * before it was sent): only a paged page's offset and count, or nothing, as before.
 * @param {PageState} state
 * @param {string} event
 * @param {number[]} value
 * @returns {{event: string, value: number[], stack?: number, offset?: number, count?: number}}
 */
export function clickEvent(state, event, value) {
  const { offset, stack } = state.paging || {};
  const paged = Number.isInteger(offset);
  if (!Number.isInteger(stack)) {
    return paged ? { event, value, offset, count: shapeOf(state)[0] } : { event, value };
  }
  return { event, value, stack, offset: paged ? offset : 0, count: shapeOf(state)[0] };
}

/**
 * Panel `p`'s own limits in force (per-panel limits), or null with one shared scale.
 * @param {PageState} state
 * @param {number} p
 * @returns {number[] | null}
 */
export function panelRange(state, p) {
  const panels = panelPairs(state.limits);
  return panels && panels[p] ? panels[p] : null;
}

/**
 * A value as the grid says it, in the hover format of the limits in force (with
 * per-panel limits and a panel `p`, of that panel's limits).
 * @param {PageState} state
 * @param {number} value
 * @param {number} [p]
 */
export function say(state, value, p) {
  const own = p === undefined ? null : panelRange(state, p);
  const fmt = own ? tickFormat(own[0], own[1]) : state.limits.tick_format || ',.3f';
  return valueText(value, valueFormat(fmt));
}

/**
 * The controller's `cursor` ([row, column], or [] for off) as the page holds it.
 * @param {unknown} value
 * @returns {[number, number] | null}
 */
export function cursorOf(value) {
  return Array.isArray(value) && value.length === 2 && value.every((v) => Number.isInteger(v) && v >= 0)
    ? [value[0], value[1]] : null;
}
