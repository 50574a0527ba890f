// @ts-check
// The one page-wide registry. anywidget calls a module's `initialize` once per model and
// its `render` once per view, each with its own proxy of the model (not one object, so a
// WeakMap keyed on it cannot join the two). The controller's view finds the state its
// model's `initialize` made by the grid's uid, which Python puts in `geometry`.

/** @type {Map<string | undefined, any>} */
const STATES = new Map();

/**
 * @param {string | undefined} uid
 * @param {any} state
 */
export function register(uid, state) {
  STATES.set(uid, state);
}

/** @param {string | undefined} uid */
export function lookup(uid) {
  return STATES.get(uid);
}

/**
 * Forget `state` (only if `uid` still names it).
 * @param {string | undefined} uid
 * @param {any} state
 */
export function unregister(uid, state) {
  if (STATES.get(uid) === state) STATES.delete(uid);
}

/**
 * The window event a grid's controller sends when its `initialize` is done (detail: the
 * grid's uid). An exported page's runtime (src/index.js) waits for it before it displays
 * the views: anywidget imports the controller's module in a task of its own, and the
 * views' first display is one long task (seconds for 150 SVG panels), which would hold
 * the module back past anywidget's 2 s limit ("[anywidget] Failed to initialize model.").
 */
export const INITIALIZED = 'digitheat:controller-initialized';
