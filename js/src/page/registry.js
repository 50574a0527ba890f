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
