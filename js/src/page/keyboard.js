// @ts-check
// The keyboard and screen-reader side of one grid view. The panels and colorbar
// (".dhg-body") become one tab stop with the role of an application; arrow keys move a
// focus cell within a panel and on into the next or previous panel in reading order;
// PageDown / PageUp jump a panel; Home / End go to a panel's first / last cell (with
// Ctrl, the grid's); Enter or Space selects the cell as a click does; H highlights the
// panel; T shows the panel's values as a table (T or Escape hides it); [ and ] step
// through frames, P plays them, V flips the view compared, L turns the linked cursor on at
// the focused cell (or off; cursor.js). The live region reads each focused cell: its
// panel's label, row, column and value (format.js's valueText); with the linked cursor
// on, the focused cell's value in every map (cursor.js's cursorSpeech), and the cursor
// moves with the focus.

import { DOM, sliderRange, suppressShortcutsOnce } from './compat.js';
import { bothValues, comparing, shownValue } from './compare.js';
import { frameCount, playable } from './frames.js';
import { cellOrigin } from './geometry.js';
import { labelOf, panelRange, say, shapeOf } from './state.js';
import { stripLabels } from './strip.js';
import { cursorShown, cursorSpeech } from './cursor.js';
import { pageSummary } from './summary.js';

/** @typedef {import('./state.js').PageState} PageState */
/** @typedef {[number, number, number]} Cell  [panel, row, col] */

/** The keys the grid takes for itself (Lumino must not act on them). */
export const OWN_KEYS = new Set(['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp', 'PageDown',
  'PageUp', 'Home', 'End', 'Enter', ' ', 'h', 'H', 't', 'T', 'Escape', '[', ']', 'p', 'P', 'v', 'V', 'l', 'L']);


/**
 * What the live region reads for a focused cell.
 * @param {PageState} state
 * @param {Cell} cell
 */
export function readout(state, [p, r, c]) {
  const selected = state.selected.length === 3 && state.selected.every((v, i) => v === [p, r, c][i]);
  const chosen = state.highlighted.includes(p);
  const both = bothValues(state, p, r, c);
  const extra = comparing(state) ? ` (data ${say(state, both.data, p)}, reference ${say(state, both.reference, p)})` : '';
  // Per-panel limits: the panel's own range, as its strip writes it.
  const own = panelRange(state, p);
  const range = own ? ` (panel range ${stripLabels(own).join(' to ')})` : '';
  return `${labelOf(state, p)}, row ${r}, column ${c}, ${comparing(state) ? state.showing : 'value'} `
    + `${say(state, shownValue(state, p, r, c), p)}${extra}${range}`
    + (selected ? ', selected' : '') + (chosen ? ', highlighted panel' : '');
}

/**
 * Where a key moves the focus from `focus` in a stack of `shape` (null: not a move).
 * @param {string} key
 * @param {boolean} ctrl
 * @param {Cell} focus
 * @param {number[]} shape
 * @returns {Cell | null}
 */
export function move(key, ctrl, [p, r, c], [count, rows, cols]) {
  const size = rows * cols;
  /** @type {(index: number) => Cell} */
  const at = (index) => { // a flat index in reading order, clamped to the grid
    const i = Math.max(0, Math.min(count * size - 1, index));
    return [Math.floor(i / size), Math.floor((i % size) / cols), i % cols];
  };
  const flat = p * size + r * cols + c;
  switch (key) {
    case 'ArrowRight': return at(flat + 1);
    case 'ArrowLeft': return at(flat - 1);
    case 'ArrowDown': return r + 1 < rows ? [p, r + 1, c] : at((p + 1) * size + c);
    case 'ArrowUp': return r > 0 ? [p, r - 1, c] : at((p - 1) * size + (rows - 1) * cols + c);
    case 'PageDown': return [Math.min(count - 1, p + 1), r, c];
    case 'PageUp': return [Math.max(0, p - 1), r, c];
    case 'Home': return ctrl ? [0, 0, 0] : [p, 0, 0];
    case 'End': return ctrl ? [count - 1, rows - 1, cols - 1] : [p, rows - 1, cols - 1];
    default: return null;
  }
}

/**
 * Whether a key moves past the first or last cell of the stack (a paged grid turns the
 * page there).
 * @param {string} key
 * @param {Cell} focus
 * @param {number[]} shape
 */
export function pastEdge(key, [p, r, c], [count, rows, cols]) {
  const flat = (p * rows + r) * cols + c;
  const last = count * rows * cols - 1;
  /** @type {Record<string, boolean>} */
  const past = { ArrowRight: flat === last, ArrowDown: p === count - 1 && r === rows - 1,
    PageDown: p === count - 1, ArrowLeft: flat === 0, ArrowUp: p === 0 && r === 0, PageUp: p === 0 };
  return !!past[key];
}

/**
 * @typedef {object} Turning  a page the keys asked Python for, past the first or last cell
 * @property {number} page  the page asked for
 * @property {number | undefined} stack  the stack it was asked on (the controller's paging)
 * @property {number} seq  the stack's sequence number then
 * @property {object} layout  the layout then
 * @property {string} edge  where the focus goes on the new page: 'first' or 'last' cell
 */

/**
 * Where a page turn the keys asked for stands: `'arrived'` when the page asked for has
 * come (its number, with new values and new titles), `'dropped'` when the maps shown are
 * of another stack than the one it was asked on (Python ignores that turn, and the new
 * stack's page is no answer to it), else `'waiting'`.
 * @param {Turning} turning
 * @param {PageState} state
 * @returns {'arrived' | 'dropped' | 'waiting'}
 */
export function turnStatus(turning, state) {
  const { paging, tensor } = state;
  if (paging.stack !== turning.stack) return 'dropped';
  return paging.page === turning.page && tensor && tensor.seq !== turning.seq
    && state.layout !== turning.layout ? 'arrived' : 'waiting';
}

/**
 * Wire the keyboard of the grid around `el` (the controller's view); null when the grid
 * is not in the page yet.
 * @param {PageState} state
 * @param {HTMLElement} el
 * @param {HTMLElement} live  the polite live region
 * @param {() => import('./geometry.js').PageLayout} [layoutOf]  the layout drawn (fit.js)
 * @returns {{refresh(): void, stale(): boolean, remove(): void} | null}
 */
export function keyboard(state, el, live, layoutOf = () => state.layout) {
  const root = /** @type {HTMLElement | null} */ (el.closest('.digitheat-grid'));
  const body = root && /** @type {HTMLElement | null} */ (root.querySelector('.dhg-body'));
  if (!root || !body) return null;
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
  /** @type {Cell | null} */
  let focus = null;
  /** @type {Turning | null} */
  let turning = null; // a page asked for
  // Focus that came with a click or tap shows no ring (as :focus-visible would) until a
  // key is pressed: the ring is the keyboard's, and a mouse user sees what was clicked.
  let byPointer = false;

  function place() {
    const g = layoutOf();
    const drawing = /** @type {HTMLElement | null} */ (body && body.firstElementChild);
    if (!focus || !drawing || !g.margin || document.activeElement !== body || byPointer) {
      ring.hidden = true;
      return;
    }
    const [x, y] = cellOrigin(g, ...focus);
    Object.assign(ring.style, {
      left: `${drawing.offsetLeft + x}px`, top: `${drawing.offsetTop + y}px`,
      width: `${g.cell}px`, height: `${g.cell}px`,
    });
    ring.hidden = false;
  }

  function showTable() {
    if (!focus) return;
    const [p] = focus;
    const [, rows, cols] = shapeOf(state);
    const t = document.createElement('table');
    const caption = t.createCaption();
    caption.textContent = `Values of ${labelOf(state, p)} (rows top to bottom, columns left to right)`;
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
      for (let c = 0; c < cols; c++) tr.insertCell().textContent = say(state, shownValue(state, p, r, c), p);
    }
    table.replaceChildren(t);
    table.hidden = false;
  }

  /** @param {Cell} next */
  function moveTo(next) {
    focus = next;
    place();
    if (state.cursor) { // the linked cursor follows the focus, and is what is read
      const [, r, c] = next;
      if (state.cursor[0] !== r || state.cursor[1] !== c) state.actions.setCursor([r, c], true);
    }
    const linked = cursorShown(state);
    live.textContent = linked ? cursorSpeech(state, linked) : readout(state, next);
    if (!table.hidden) showTable();
  }

  /** @param {KeyboardEvent} event */
  function onKey(event) {
    if (!state.tensor || event.altKey || event.metaKey) return;
    if (byPointer) { byPointer = false; place(); }
    const shape = shapeOf(state);
    /** @type {Cell} */
    const here = focus || [0, 0, 0];
    const [p, r, c] = here;
    // Paged: a move past the page's first or last cell asks for the page before or after
    // it; the focus goes to its last or first cell when it arrives (refresh below).
    const step = ['ArrowRight', 'ArrowDown', 'PageDown'].includes(event.key) ? 1 : -1;
    const { paging } = state;
    if (pastEdge(event.key, here, shape) && paging.total && paging.page !== undefined
        && state.actions.turnPage(step)) {
      turning = { page: paging.page + step, stack: paging.stack, seq: state.tensor.seq,
                  layout: state.layout, edge: step > 0 ? 'first' : 'last' };
      live.textContent = `Page ${paging.page + step + 1} of ${paging.page_count}…`;
      event.preventDefault();
      event.stopPropagation();
      return;
    } // else (the first or last page, or no kernel to read another): the move stops here
    let next = move(event.key, event.ctrlKey, here, shape);
    if (!next) {
      switch (event.key) {
        case 'Enter': case ' ':
          state.actions.select(p, r, c);
          break;
        case 'h': case 'H':
          state.actions.toggleHighlight(p);
          break;
        case '[': case ']': // the previous / next frame, when the grid has frames
          if (!frameCount(state.frames)) return;
          state.actions.stepFrame(event.key === ']' ? 1 : -1);
          break;
        case 'p': case 'P':
          if (!playable(state.frames)) return;
          state.actions.play();
          break;
        case 'v': case 'V': // the next view: data, reference, difference
          if (!comparing(state)) return;
          state.actions.nextView();
          break;
        case 'l': case 'L': // the linked cursor: on at the focused cell, or off
          if (state.cursor) {
            state.actions.setCursor(null, true);
            focus = here;
            place();
            live.textContent = 'Linked cursor off';
            event.preventDefault();
            event.stopPropagation();
            return;
          }
          state.actions.setCursor([r, c], true);
          break;
        case 't': case 'T':
          focus = here;
          if (table.hidden) showTable(); else table.hidden = true;
          break;
        case 'Escape':
          if (table.hidden) return;
          table.hidden = true;
          break;
        default:
          return;
      }
      next = here;
    }
    event.preventDefault();
    event.stopPropagation(); // JupyterLab would take arrows and Enter as notebook commands
    moveTo(next);
  }

  // The canvas renderer's clicks (canvas.js), bubbling up through this grid.
  /** @param {Event} event */
  const onCanvasClick = (event) => {
    const { kind, digit, row, col } = /** @type {CustomEvent} */ (event).detail || {};
    if (kind === 'cell') state.actions.select(digit, row, col);
    else if (kind === 'title') state.actions.toggleHighlight(digit);
  };
  root.addEventListener('digitheat:canvas-click', onCanvasClick);
  // The canvas' tooltip asks what to call its value and what to add: comparing, the
  // view shown and both values.
  /** @param {Event} event */
  const onCanvasHover = (event) => {
    const detail = /** @type {CustomEvent} */ (event).detail;
    if (!detail || !comparing(state) || !(detail.digit < shapeOf(state)[0])) return;
    const both = bothValues(state, detail.digit, detail.row, detail.col);
    detail.name = state.showing;
    detail.extra = `; data ${say(state, both.data, detail.digit)}, reference ${say(state, both.reference, detail.digit)}`;
  };
  root.addEventListener('digitheat:canvas-hover', onCanvasHover);
  /** @param {KeyboardEvent} event */
  const claimKey = (event) => {
    if (event.target !== body || event.altKey || event.metaKey || !OWN_KEYS.has(event.key)) return;
    suppressShortcutsOnce(body);
  };
  window.addEventListener('keydown', claimKey, true);
  const onFocus = () => {
    /** @type {Cell} */
    const start = focus
      || (state.selected.length === 3 ? [state.selected[0], state.selected[1], state.selected[2]] : [0, 0, 0]);
    // With the linked cursor on, the focus starts on its cell (it is where one looks):
    // gaining focus does not move it.
    const linked = cursorShown(state);
    moveTo(linked ? [start[0], linked[0], linked[1]] : start);
  };
  const onBlur = () => { ring.hidden = true; };
  const onPointer = () => { byPointer = true; };
  body.addEventListener('keydown', onKey);
  body.addEventListener('focus', onFocus);
  body.addEventListener('blur', onBlur);
  body.addEventListener('pointerdown', onPointer);
  /** The control panel's names and states for assistive technology (ipywidgets gives
   *  the slider handles no name and the toggles no pressed state). */
  function labelControls() {
    const controls = root && root.querySelector('.dhg-controls');
    if (!controls) return;
    const names = ['vmin, the lower colour limit', 'vmax, the upper colour limit'];
    const values = [state.limits.low, state.limits.high];
    // Set only what differs: the observer below sees our own writes too.
    /** @type {(el: Element, name: string, value: string) => void} */
    const put = (target, name, value) => { if (target.getAttribute(name) !== value) target.setAttribute(name, value); };
    // One rule for the value a handle gives: the limit in force, as text (rounded like
    // the hover values) and as the number itself, within the slider's range. noUiSlider
    // writes its own valuenow/min/max rounded to one decimal (0.0 for limits such as
    // 0 .. 0.0147), each time it moves or its range changes.
    controls.querySelectorAll(DOM.sliderHandle).forEach((handle, i) => {
      if (i > 1) return;
      const now = values[i];
      const [min, max] = sliderRange(handle) || [now, now];
      put(handle, 'aria-label', names[i]);
      put(handle, 'aria-valuetext', say(state, now));
      put(handle, 'aria-valuenow', '' + now);
      put(handle, 'aria-valuemin', '' + min);
      put(handle, 'aria-valuemax', '' + max);
    });
    const chosen = new Set(state.highlighted); // the toggles are the panels, in order
    controls.querySelectorAll(DOM.toggleButton).forEach((button, i) => {
      put(button, 'aria-pressed', String(chosen.has(i)));
    });
  }
  // The controls may render after this grid's last refresh (in JupyterLab they do), and
  // ipywidgets rebuilds a slider, and noUiSlider rewrites a handle's aria values when
  // Python's echo arrives or the handle moves (aria-valuetext last, after valuenow, min
  // and max): label them again whenever that happens.
  const relabel = new MutationObserver(labelControls);
  relabel.observe(root, { childList: true, subtree: true, attributes: true,
                          attributeFilter: ['aria-valuetext', 'aria-pressed'] });

  return {
    /** The drawing it works on has gone (ipywidgets made a new one). */
    stale: () => !body.isConnected,
    refresh() {
      labelControls();
      if (body) body.setAttribute('aria-label', pageSummary(state));
      const [count, rows, cols] = shapeOf(state);
      if (focus && !(focus[0] < count && focus[1] < rows && focus[2] < cols)) focus = null;
      // The new page is in when its values and its titles (a new layout) have come; a
      // new stack shown meanwhile is not it (Python ignored the turn: the focus stays).
      const turn = turning && turnStatus(turning, state);
      if (turn === 'dropped') turning = null;
      if (turning && turn === 'arrived') {
        /** @type {Cell} */
        const edge = turning.edge === 'first' ? [0, 0, 0] : [count - 1, rows - 1, cols - 1];
        turning = null;
        // After the rest of the message (the new page's titles come with its values).
        if (document.activeElement === body) queueMicrotask(() => moveTo(edge));
      }
      place();
    },
    remove() {
      if (body) {
        body.removeEventListener('keydown', onKey);
        body.removeEventListener('focus', onFocus);
        body.removeEventListener('pointerdown', onPointer);
        body.removeEventListener('blur', onBlur);
      }
      if (root) {
        root.removeEventListener('digitheat:canvas-click', onCanvasClick);
        root.removeEventListener('digitheat:canvas-hover', onCanvasHover);
      }
      relabel.disconnect();
      window.removeEventListener('keydown', claimKey, true);
      ring.remove();
      table.remove();
    },
  };
}
