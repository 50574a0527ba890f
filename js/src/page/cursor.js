// @ts-check
// The linked cursor: one (row, column) marked in every panel, with that cell's value in
// every map read out under the grid. Python's `grid.cursor` (the controller's `cursor`,
// [row, col] or [] for off); the page sets it too, with or without a kernel:
//   * the key L (keyboard.js) turns it on at the focused cell, or off; while it is on,
//     the keyboard focus moves it and the live region reads the values across the maps
//     (`cursorSpeech`);
//   * a double-click on a cell turns it on there (or off); while it is on, hovering a cell
//     moves it (the pointer leaving the grid leaves it where it was, so the readout can
//     be read); the readout's x button turns it off.
// Off by default: nothing shows, and no message goes to the kernel, until someone asks.
// The cursor is a cell position, the same in every map of every page: a page turn or new
// values keep it (Python drops it for maps of a shape it is not in).
//
// The marks are the page's own boxes over the drawing (as the keyboard's focus ring), at
// geometry.js's cell origins of the layout drawn (fit.js): the same on the SVG and the
// canvas renderer. The readout is a list of chips (swatch in the cell's colour, the map's
// label, its value in the hover format), as wide as the drawing, wrapping, and scrolling
// past a few rows: readable at 100 maps and on a phone. It reads the values shown
// (compare.js: the view compared, the frame shown). Labels are user text: set as text.

import { mosaicLayout, paintMosaic, parseStops } from './canvas-draw.js';
import { suppressShortcutsOnce } from './compat.js';
import { shownValue } from './compare.js';
import { cellOrigin, hit } from './geometry.js';
import { panelPairs } from './limits.js';
import { labelOf, panelRange, say, shapeOf } from './state.js';

/** @typedef {import('./state.js').PageState} PageState */
/** @typedef {[number, number]} RowCol */

const ONE_CELL = mosaicLayout(1, 1, 1);

/** The mark's ring, px: drawn around the cell, outside it. */
export const MARK = 2;

const SCROLL_KEYS = new Set(['ArrowDown', 'ArrowUp', 'PageDown', 'PageUp', 'Home', 'End', ' ']);

/** Past this many maps the live region names the highest and lowest, not every value. */
export const SPOKEN_MAPS = 12;

/**
 * The cursor shown: the state's, where it is a cell of the maps held, else null.
 * @param {PageState} state
 * @returns {RowCol | null}
 */
export function cursorShown(state) {
  const cursor = state.cursor;
  const [count, rows, cols] = shapeOf(state);
  if (!cursor || cursor.length !== 2 || !count) return null;
  const [r, c] = cursor;
  return r >= 0 && r < rows && c >= 0 && c < cols ? [r, c] : null;
}

/**
 * Each map's label and value at (row, col), in the view shown.
 * @param {PageState} state
 * @param {RowCol} cell
 * @returns {{label: string, value: number, text: string}[]}
 */
export function cursorValues(state, [r, c]) {
  const [count] = shapeOf(state);
  return Array.from({ length: count }, (_, p) => {
    const value = shownValue(state, p, r, c);
    return { label: labelOf(state, p), value, text: say(state, value, p) };
  });
}

/**
 * Indices of the maps with the highest and the lowest finite value (-1: none finite).
 * @param {{value: number}[]} values
 * @returns {{highest: number, lowest: number}}
 */
export function extremes(values) {
  let highest = -1;
  let lowest = -1;
  values.forEach(({ value }, i) => {
    if (!Number.isFinite(value)) return;
    if (highest < 0 || value > values[highest].value) highest = i;
    if (lowest < 0 || value < values[lowest].value) lowest = i;
  });
  return { highest, lowest };
}

/**
 * What the live region reads for the cursor: "row 3, column 2 across 10 maps: 0: 0.0012,
 * 1: ..., highest 7"; past SPOKEN_MAPS maps, the highest and the lowest with their values.
 * @param {PageState} state
 * @param {RowCol} cell
 */
export function cursorSpeech(state, cell) {
  const values = cursorValues(state, cell);
  const { highest, lowest } = extremes(values);
  const head = `row ${cell[0]}, column ${cell[1]} across ${values.length} map${values.length === 1 ? '' : 's'}`;
  if (values.length <= SPOKEN_MAPS) {
    return `${head}: ${values.map((v) => `${v.label}: ${v.text}`).join(', ')}`
      + (highest >= 0 && values.length > 1 ? `, highest ${values[highest].label}` : '');
  }
  if (highest < 0) return `${head}: no values`;
  return `${head}: highest ${values[highest].label} (${values[highest].text}), `
    + `lowest ${values[lowest].label} (${values[lowest].text})`;
}

/**
 * The colour a value is drawn in: canvas-draw.js's rule (the colormap's stops between the
 * limits in force, map `p`'s own with per-panel limits), as CSS; NaN in the grid's NaN colour.
 * @param {PageState} state
 * @param {number} value
 * @param {Float64Array} [stops]  the colormap's, parsed (canvas-draw.js's parseStops)
 * @param {number} [p]  the map it is a value of
 */
export function swatch(state, value, stops = parseStops(state.colormap.stops), p = undefined) {
  if (Number.isNaN(value)) return state.nanColor || 'transparent';
  const rgba = new Uint8ClampedArray(4);
  const [low, high] = (p === undefined ? null : panelRange(state, p)) || [state.limits.low, state.limits.high];
  paintMosaic(rgba, [value], ONE_CELL, stops, low, high, [0, 0, 0, 0]);
  return `rgb(${rgba[0]}, ${rgba[1]}, ${rgba[2]})`;
}

/** Labels longer than this many characters are cut in the readout (their title holds
 *  them whole). */
export const CHIP_LABEL_CHARS = 16;

/**
 * How wide the readout's chips are: their longest label (up to CHIP_LABEL_CHARS) and
 * value side by side, in the list's font (a 10% margin for the bold highest one), with
 * the swatch and the gaps: a value like "1.05e+6" cut the label "10^8" to "10…".
 * @param {{label: string, text: string}[]} values
 */
export function chipWidth(values) {
  const label = Math.min(CHIP_LABEL_CHARS, Math.max(0, ...values.map((v) => v.label.length)));
  const value = Math.max(0, ...values.map((v) => v.text.length));
  return `calc(${((label + value) * 1.1).toFixed(1)}ch + 28px)`;
}

/**
 * The cursor's CSS (stylesheet.js adds it to the grid's): the marks, a ring in the
 * selected cell's colour around the cell (the cell's own colour stays seen, even at a few
 * px), edged in black (seen on light colours too), and the readout.
 * @param {string} root  the grid's selector
 * @param {import('./geometry.js').PageLayout} layout
 */
export function cursorCss(root, layout) {
  return `${root} .dhg-cursor-mark { position: absolute; box-sizing: border-box; pointer-events: none; border: ${MARK}px solid ${layout.selected_color}; box-shadow: 0 0 0 1px #000, inset 0 0 0 1px #000; z-index: 4; }
${root} .dhg-cursor { box-sizing: border-box; max-width: 100%; margin: 6px 0 2px; font-size: 12px; color: var(--jp-ui-font-color1, #212121); }
${root} .dhg-cursor[hidden] { display: none; }
${root} .dhg-cursor-head { display: flex; align-items: center; gap: 8px; margin-bottom: 4px; font-weight: bold; }
${root} .dhg-cursor-off { box-sizing: border-box; width: 24px; height: 24px; padding: 0; border: 1px solid var(--jp-border-color1, #bdbdbd); border-radius: 4px; background: var(--jp-layout-color1, #fff); color: inherit; cursor: pointer; font: inherit; line-height: 1; }
${root} .dhg-cursor-off:focus-visible, ${root} .dhg-cursor-list:focus-visible { outline: 2px solid ${layout.accent_color}; outline-offset: 2px; }
${root} .dhg-cursor-list { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, max(8.5em, var(--dhg-chip, 0px))), 1fr)); gap: 2px 8px; max-height: 7.6em; overflow-y: auto; }
${root} .dhg-cursor-list li { display: flex; align-items: center; gap: 4px; min-width: 0; white-space: nowrap; font-variant-numeric: tabular-nums; line-height: 1.5; }
${root} .dhg-cursor-list li.dhg-cursor-top { font-weight: bold; }
${root} .dhg-cursor-swatch { flex: none; width: 10px; height: 10px; border: 1px solid var(--jp-border-color1, #bdbdbd); }
${root} .dhg-cursor-label { overflow: hidden; text-overflow: ellipsis; color: var(--jp-ui-font-color2, #616161); }
${root} .dhg-cursor-value { margin-left: auto; }
`;
}

/**
 * The marks and the readout of the grid around `el` (the controller's view); null when
 * the grid is not in the page yet.
 * @param {PageState} state
 * @param {HTMLElement} el
 * @param {() => import('./geometry.js').PageLayout} layoutOf  the layout drawn (fit.js)
 * @returns {{refresh(): void, stale(): boolean, remove(): void} | null}
 */
export function linkedCursor(state, el, layoutOf) {
  const root = /** @type {HTMLElement | null} */ (el.closest('.digitheat-grid'));
  const body = root && /** @type {HTMLElement | null} */ (root.querySelector(':scope > .dhg-body'));
  if (!root || !body) return null;
  const marks = document.createElement('div');
  marks.className = 'dhg-cursor-marks';
  body.append(marks);
  const box = document.createElement('div');
  box.className = 'dhg-cursor';
  box.setAttribute('role', 'group');
  box.setAttribute('aria-label', 'Linked cursor: one cell in every map');
  box.hidden = true;
  const head = document.createElement('div');
  head.className = 'dhg-cursor-head';
  const where = document.createElement('span');
  const off = document.createElement('button');
  off.type = 'button';
  off.className = 'dhg-cursor-off';
  off.textContent = '×';
  off.setAttribute('aria-label', 'Turn the linked cursor off');
  off.title = 'Turn the linked cursor off (L on the grid)';
  off.addEventListener('click', () => state.actions.setCursor(null, true));
  head.append(where, off);
  const list = document.createElement('ul');
  list.className = 'dhg-cursor-list';
  // It scrolls past a few rows (100 maps): a tab stop, so the keyboard scrolls it too.
  list.tabIndex = 0;
  list.setAttribute('aria-label', 'Each map\'s value at the linked cursor');
  box.append(head, list);

  /** The grid point under a pointer event, in the layout drawn's CSS px. */
  /** @param {MouseEvent} event */
  function cellAt(event) {
    const drawing = /** @type {HTMLElement | null} */ (body && body.firstElementChild);
    const g = layoutOf();
    if (!drawing || !g.margin) return null;
    const rect = drawing.getBoundingClientRect();
    const at = hit(g, event.clientX - rect.left, event.clientY - rect.top);
    return at && at.kind === 'cell' ? /** @type {RowCol} */ ([at.row, at.col]) : null;
  }
  /** @param {MouseEvent} event */
  const onMove = (event) => {
    if (!state.cursor) return; // off: hovering shows the tooltip alone
    const cell = cellAt(event);
    if (cell && (cell[0] !== state.cursor[0] || cell[1] !== state.cursor[1])) state.actions.setCursor(cell, true);
  };
  /** @param {MouseEvent} event */
  const onDoubleClick = (event) => {
    const cell = cellAt(event);
    if (!cell) return;
    const on = state.cursor && state.cursor[0] === cell[0] && state.cursor[1] === cell[1];
    state.actions.setCursor(on ? null : cell, true);
  };
  /** A double-click on a cell selects no text around it (a title, tick labels).
   *  @param {MouseEvent} event */
  const onPress = (event) => { if (event.detail > 1 && cellAt(event)) event.preventDefault(); };
  body.addEventListener('mousemove', onMove);
  body.addEventListener('mousedown', onPress);
  body.addEventListener('dblclick', onDoubleClick);
  /** The list's scrolling keys are its own (JupyterLab would move between its cells).
   *  @param {KeyboardEvent} event */
  const claimKey = (event) => {
    if (event.target === list && SCROLL_KEYS.has(event.key)) suppressShortcutsOnce(list);
  };
  window.addEventListener('keydown', claimKey, true);

  /** Under the drawing, after the compact player (player.js puts itself right after it). */
  function place() {
    const before = box.previousElementSibling;
    if (before === body || (before && before.classList.contains('dhg-player') && before.previousElementSibling === body)) return;
    const player = root && root.querySelector(':scope > .dhg-player');
    const after = player && player.previousElementSibling === body ? player : body;
    if (after) after.after(box);
  }

  /** @type {string} */
  let drawnFor = '';
  return {
    stale: () => !body.isConnected,
    refresh() {
      const cell = cursorShown(state);
      const g = layoutOf();
      const drawing = /** @type {HTMLElement | null} */ (body.firstElementChild);
      const [count] = shapeOf(state);
      if (!cell || !drawing || !g.margin) {
        marks.replaceChildren();
        box.hidden = true;
        drawnFor = '';
        return;
      }
      while (marks.childElementCount > count) /** @type {Element} */ (marks.lastElementChild).remove();
      while (marks.childElementCount < count) {
        const mark = document.createElement('div');
        mark.className = 'dhg-cursor-mark';
        marks.append(mark);
      }
      const left = drawing.offsetLeft - MARK; // read once: no layout between the writes
      const top = drawing.offsetTop - MARK;
      const side = `${g.cell + 2 * MARK}px`;
      Array.from(marks.children).forEach((mark, p) => {
        const [x, y] = cellOrigin(g, p, cell[0], cell[1]);
        Object.assign(/** @type {HTMLElement} */ (mark).style, {
          left: `${left + x}px`, top: `${top + y}px`, width: side, height: side,
        });
      });
      const values = cursorValues(state, cell);
      const { highest } = extremes(values);
      where.textContent = `Row ${cell[0]}, column ${cell[1]} in every map`;
      // Rebuilt when what it says changed (a hover to another cell, new values).
      const said = JSON.stringify([values.map((v) => v.text), values.map((v) => v.label),
        state.colormap.stops, state.limits.low, state.limits.high, panelPairs(state.limits), highest]);
      if (said !== drawnFor) {
        drawnFor = said;
        const stops = parseStops(state.colormap.stops);
        list.style.setProperty('--dhg-chip', chipWidth(values));
        while (list.childElementCount > values.length) /** @type {Element} */ (list.lastElementChild).remove();
        while (list.childElementCount < values.length) { // swatch, label, value
          const item = document.createElement('li');
          const chip = document.createElement('span');
          chip.className = 'dhg-cursor-swatch';
          chip.setAttribute('aria-hidden', 'true');
          const label = document.createElement('span');
          label.className = 'dhg-cursor-label';
          const value = document.createElement('span');
          value.className = 'dhg-cursor-value';
          item.append(chip, label, value);
          list.append(item);
        }
        // Set in place (a hover to the next cell changes the values alone).
        values.forEach((v, p) => {
          const item = /** @type {HTMLElement} */ (list.children[p]);
          const [chip, label, value] = /** @type {HTMLElement[]} */ (Array.from(item.children));
          item.className = p === highest && values.length > 1 ? 'dhg-cursor-top' : '';
          chip.style.background = swatch(state, v.value, stops, p);
          if (label.textContent !== v.label) {
            label.textContent = v.label;
            label.title = v.label;
          }
          value.textContent = v.text;
        });
      }
      box.style.width = `${g.width}px`;
      box.hidden = false;
      place();
    },
    remove() {
      body.removeEventListener('mousemove', onMove);
      body.removeEventListener('mousedown', onPress);
      body.removeEventListener('dblclick', onDoubleClick);
      window.removeEventListener('keydown', claimKey, true);
      marks.remove();
      box.remove();
    },
  };
}
