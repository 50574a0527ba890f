// @ts-check
// The compact player of a grid with frames and no control panel: a play/pause button, a
// scrubber and the frame's readout, under the grid's drawing (frames.js's playerView
// says when it shows and what). The controller's view builds it in the page: no widget,
// no message, the same with a kernel or without one (an exported page). It acts through
// the controller's actions, the same road as the keys `[`, `]` and `P` (keyboard.js): the
// button toggles the one playback timer; the scrubber shows a frame at once and tells
// Python (with a kernel) where it settles (its `change`), as the control panel's frame
// slider does. Native controls, so the keyboard works them as any page's: Tab, Space or
// Enter on the button, arrows / Home / End / PageUp / PageDown on the scrubber.

import { suppressShortcutsOnce } from './compat.js';
import { frameReadout, playerView } from './frames.js';

/** @typedef {import('./state.js').PageState} PageState */

/** The keys the player's controls take for themselves (Lumino must not act on them:
 *  JupyterLab's command mode would move to another cell or start editing one). */
export const PLAYER_KEYS = new Set(['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp', 'PageDown',
  'PageUp', 'Home', 'End', 'Enter', ' ']);

const SVG_NS = 'http://www.w3.org/2000/svg';
/** The button's two pictures (16 x 16, in the text colour): a triangle, two bars. */
const ICONS = { play: 'M4 2.5v11l9.5-5.5z', pause: 'M3.5 2.5h3.25v11H3.5zM9.25 2.5h3.25v11H9.25z' };

/**
 * The player of the grid around `el` (the controller's view); null when the grid is not
 * in the page yet.
 * @param {PageState} state
 * @param {HTMLElement} el
 * @returns {{refresh(): void, remove(): void} | null}
 */
export function player(state, el) {
  const root = /** @type {HTMLElement | null} */ (el.closest('.digitheat-grid'));
  if (!root || !root.querySelector('.dhg-body')) return null;
  /** An element of `tag` (in `ns`) with `attrs` (attribute values are text).
   * @param {string} tag @param {Record<string, string>} attrs @param {string} [ns] */
  const make = (tag, attrs, ns) => {
    const made = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) made.setAttribute(name, value);
    return made;
  };
  const box = /** @type {HTMLElement} */ (make('div', { class: 'dhg-player', role: 'group',
    'aria-label': 'Frames' }));
  box.hidden = true;
  const button = /** @type {HTMLButtonElement} */ (make('button', { type: 'button', class: 'dhg-play',
    'aria-label': 'Play frames', title: 'Play or pause the frames (P on the grid)' }));
  const icon = make('svg', { viewBox: '0 0 16 16', width: '16', height: '16', 'aria-hidden': 'true',
    focusable: 'false' }, SVG_NS);
  const shape = make('path', { fill: 'currentColor' }, SVG_NS);
  icon.append(shape);
  button.append(icon);
  const scrubber = /** @type {HTMLInputElement} */ (make('input', { type: 'range', class: 'dhg-scrub',
    min: '0', step: '1', 'aria-label': 'Frame' }));
  // The scrubber says the readout (aria-valuetext): a screen reader hears it once.
  const readout = /** @type {HTMLElement} */ (make('span', { class: 'dhg-player-readout',
    'aria-hidden': 'true' }));
  box.append(button, scrubber, readout);

  button.addEventListener('click', () => state.actions.play());
  // Each position shows at once, in the page; Python gets the frame it settles on.
  scrubber.addEventListener('input', () => state.actions.showFrame(+scrubber.value, false));
  scrubber.addEventListener('change', () => state.actions.showFrame(+scrubber.value, true));
  /** @param {KeyboardEvent} event */
  const claimKey = (event) => {
    if (event.altKey || event.metaKey || !PLAYER_KEYS.has(event.key)) return;
    // On the control itself: Lumino matches its shortcuts' selectors from the target up,
    // and stops at the first element wearing the mark.
    if (event.target instanceof HTMLElement && box.contains(event.target)) suppressShortcutsOnce(event.target);
  };
  window.addEventListener('keydown', claimKey, true);

  /** Right after the drawing: ipywidgets makes a new drawing when the grid's rows
   *  change (the control panel shown or hidden), and puts it last (the controller's
   *  view refreshes this player then). */
  function place() {
    const body = root && root.querySelector(':scope > .dhg-body');
    if (body && box.previousElementSibling !== body) body.after(box);
  }

  /** @type {PageState['frames']} */
  let sizedFor = null; // the frames the readout's width was found for
  /** @param {string} name @param {string} value */
  const put = (name, value) => { if (scrubber.getAttribute(name) !== value) scrubber.setAttribute(name, value); };
  return {
    refresh() {
      const view = playerView(state.frames, state.frame, state.showPlayer);
      box.hidden = !view;
      if (!view) return;
      place();
      put('max', String(view.max));
      if (+scrubber.value !== view.value) scrubber.value = String(view.value);
      put('aria-valuetext', view.text);
      if (readout.textContent !== view.text) readout.textContent = view.text;
      if (sizedFor !== state.frames) { // as wide as its longest text: the scrubber keeps still
        sizedFor = state.frames;
        let widest = 0;
        for (let t = -1; t <= view.max; t++) widest = Math.max(widest, frameReadout(state.frames, t).length);
        readout.style.minWidth = `${widest}ch`;
      }
      button.disabled = !view.playable;
      const playing = state.playing && view.playable;
      button.setAttribute('aria-pressed', String(playing));
      shape.setAttribute('d', playing ? ICONS.pause : ICONS.play);
    },
    remove() {
      window.removeEventListener('keydown', claimKey, true);
      box.remove();
    },
  };
}
