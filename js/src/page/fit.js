// @ts-check
// The grid fits its container's width (a phone, a tablet, an LMS frame, a narrow
// JupyterLab pane), in the page alone: no message to the kernel, no widget rebuilt.
//
// The rule (`fitLayout`, pure, js/test/fit.test.mjs): Python's layout where it fits beside
// the colorbar. Else the most columns (never more than Python's; fewer only where the
// grid's `columns` were not given, `fit_columns`) at which the panels fit beside the
// colorbar with a cell of at least `fit_min_cell` px (figure/layout.py's readable_cell, or
// the cell itself where `cell_size` was given), at the largest such cell. Where nothing
// fits beside the colorbar, the colorbar goes under the panels and the panels get the
// whole width; where nothing fits at all, the fewest columns at the smallest cell (the
// page scrolls). Never larger than Python's layout. Sizes of a layout: geometry.js's
// layoutAt, GridGeometry's twin (golden cases).
//
// The view (`fitView`): one per display of the grid (its controller view), since each
// display has its own container. It watches the container (and the colorbar, whose width
// follows the limits) with a ResizeObserver and draws the fitted layout:
//   * SVG panels: the panels' sizes, the title buttons' widths, the grid's columns and the
//     colorbar's height in this display's CSS (a class of its own on the grid's element),
//     which bqplot follows (its figures relayout on resize: real sizes, so its hover and
//     clicks hit the cells drawn); the axes' tick counts on their models (shared by every
//     display: the one fitted last sets them);
//   * the canvas: its view asks for the fitted columns and cell (a 'digitheat:canvas-fit'
//     event, answered here) when it is attached and whenever told ('digitheat:fit'), and
//     draws (and hit-tests) at them;
//   * the keyboard's focus ring follows `layout()`.
// It also holds the CSS that is about narrow screens and touch whatever the layout: the
// control panel's rows wrap, and its controls are at least 24 px targets (WCAG 2.2 2.5.8).

import { setLocal } from './compat.js';
import { layoutAt, tickCount } from './geometry.js';

/** @typedef {import('./geometry.js').PageLayout} PageLayout */
/** @typedef {import('./state.js').PageState} PageState */

/**
 * @typedef {object} Fit  how a grid is drawn in the width it has
 * @property {number} columns
 * @property {number} cell
 * @property {boolean} below  the colorbar under the panels, not beside them
 */

/**
 * Columns, cell and the colorbar's place for a grid of layout `natural` (Python's) in
 * `available` px (from the panels' left edge to the container's right edge), beside a
 * colorbar `colorbar` px wide. See the module comment.
 * @param {PageLayout} natural
 * @param {number} available
 * @param {number} colorbar
 * @returns {Fit}
 */
export function fitLayout(natural, available, colorbar) {
  const { columns, cell } = natural;
  /** @type {(k: number, c: number, room: number) => boolean} */
  const fits = (k, c, room) => layoutAt(natural, k, c).width <= room;
  if (fits(columns, cell, available - colorbar)) return { columns, cell, below: false };
  const least = Math.max(1, Math.min(cell, natural.fit_min_cell || cell));
  const most = natural.fit_columns ? Math.max(1, Math.min(columns, natural.count)) : columns;
  const fewest = natural.fit_columns ? 1 : columns;
  for (const below of [false, true]) {
    const room = below ? available : available - colorbar;
    for (let k = most; k >= fewest; k--) {
      for (let c = cell; c >= least; c--) {
        if (fits(k, c, room)) return { columns: k, cell: c, below };
      }
    }
  }
  return { columns: fewest, cell: least, below: true };
}

/**
 * The CSS of a display whose grid is drawn at `layout` rather than Python's `natural`:
 * the SVG panels' sizes and columns and the colorbar's height ('' when they are Python's).
 * @param {string} root  the display's selector
 * @param {PageLayout} natural
 * @param {PageLayout} layout
 * @param {boolean} below
 */
export function fitCss(root, natural, layout, below) {
  let css = below ? `${root} .dhg-body { flex-wrap: wrap; row-gap: 8px; }\n` : '';
  if (layout === natural) return css;
  const w = layout.panel_width;
  const inset = 2 * layout.highlight_width;
  // !important: over the inline sizes ipywidgets writes from the (shared) layout models.
  css += `${root} .dhg-body > .widget-gridbox:first-child { grid-template-columns: repeat(${layout.columns}, ${w}px) !important; }
${root} .dhg-panel { width: ${w}px !important; height: ${layout.panel_height}px !important; }
${root} .dhg-title-hit { width: ${w - inset}px !important; }
${root} .dhg-colorbar { height: ${layout.colorbar_height}px !important; }
`;
  return css;
}

/**
 * Narrow screens and touch, whatever the layout: the control panel's rows wrap, and its
 * slider handles (16 px) are 24 x 24 px targets, as its buttons, menus and toggles and the
 * panels' title buttons are already.
 * @param {string} root  the grid's selector
 */
export function touchCss(root) {
  return `${root} .dhg-controls .widget-hbox { flex-wrap: wrap; }
${root} .dhg-controls .noUi-handle::after { content: ''; display: block; position: absolute; left: 50%; top: 50%; width: 24px; height: 24px; transform: translate(-50%, -50%); background: transparent; border: 0; box-shadow: none; }
`;
}

let displays = 0;

/**
 * Fit one display of a grid to its container; null when the grid is not in the page yet.
 * @param {PageState} state
 * @param {HTMLElement} el  the controller's view, inside the grid's element
 * @param {() => void} changed  called when a resize changes the layout drawn (restyle)
 * @returns {{layout(): PageLayout, css(): string, refresh(): void, stale(): boolean, remove(): void} | null}
 */
export function fitView(state, el, changed) {
  const root = /** @type {HTMLElement | null} */ (el.closest('.digitheat-grid'));
  const body = root && /** @type {HTMLElement | null} */ (root.querySelector('.dhg-body'));
  if (!root || !body) return null;
  const tag = `dhg-v${++displays}`;
  root.classList.add(tag);
  /** @type {Fit | null} */
  let fit = null;
  let natural = state.layout;
  let layout = natural;
  let available = 0;
  let colorbarWidth = 0;
  /** @type {Element | null} */
  let container = null;
  /** @type {Element | null} */
  let colorbar = null;

  /** What to measure: the container (the grid's parent) and the colorbar; and the body,
   *  whose parts may be drawn after this view (JupyterLab renders them later). */
  function watch() {
    const next = root && root.parentElement;
    const bar = body && body.querySelector('.dhg-colorbar');
    if (next !== container) {
      if (container) observer.unobserve(container);
      container = next;
      if (container) observer.observe(container);
    }
    if (bar !== colorbar) {
      if (colorbar) observer.unobserve(colorbar);
      colorbar = bar;
      if (colorbar) observer.observe(colorbar);
    }
  }

  function measure() {
    watch();
    if (!container || !body) return;
    const box = container.getBoundingClientRect();
    const style = getComputedStyle(container);
    const right = box.right - (parseFloat(style.paddingRight) || 0) - (parseFloat(style.borderRightWidth) || 0);
    available = right - body.getBoundingClientRect().left;
    colorbarWidth = colorbar ? colorbar.getBoundingClientRect().width : 0;
  }

  /** The fit for what was measured: drawn (and `changed()` told, if `tell`) when it is
   *  another than the one drawn.
   *  @param {boolean} tell */
  function apply(tell) {
    // Not laid out (a hidden tab, a collapsed output): keep what is drawn until it is.
    if (!state.layout.margin || !(available > 0)) return;
    const next = fitLayout(state.layout, available, colorbarWidth);
    if (fit && natural === state.layout && next.columns === fit.columns && next.cell === fit.cell
        && next.below === fit.below) return;
    fit = next;
    natural = state.layout;
    layout = layoutAt(natural, next.columns, next.cell);
    ticks();
    for (const canvas of body ? body.querySelectorAll('.dhg-canvas') : []) {
      canvas.dispatchEvent(new CustomEvent('digitheat:fit'));
    }
    if (tell) changed();
  }

  /** @type {import('./compat.js').Model | null} */
  let ticked = null; // the panel figure whose axes were last set
  /** The axes label rows and columns as far apart as the fitted cell allows. The axis
   *  models are shared by every display of the grid: the display fitted last sets them. */
  function ticks() {
    const p = state.parts;
    const figure = p && p.figures.find(Boolean);
    if (!figure) return;
    ticked = figure;
    for (const axis of figure.get('axes') || []) {
      if (!axis || typeof axis.get !== 'function') continue;
      const vertical = axis.get('side') === 'left';
      const wanted = tickCount(vertical ? layout.rows : layout.cols, layout.cell, layout.min_tick_spacing);
      if (axis.get('num_ticks') !== wanted) setLocal(axis, { num_ticks: wanted });
    }
  }

  const observer = new ResizeObserver(() => {
    measure();
    apply(true);
  });
  /** The canvas asks what to draw at (see canvas.js). */
  /** @param {Event} event */
  const onAsk = (event) => {
    const detail = /** @type {CustomEvent} */ (event).detail;
    if (detail && fit && layout !== natural) Object.assign(detail, { columns: fit.columns, cell: fit.cell });
  };
  root.addEventListener('digitheat:canvas-fit', onAsk);
  observer.observe(body);
  watch();

  return {
    layout: () => (fit && natural === state.layout ? layout : state.layout),
    /** The drawing it fits has gone (ipywidgets made a new one). */
    stale: () => !body.isConnected,
    css() {
      const selector = `.${tag}`;
      return touchCss(selector) + (fit ? fitCss(selector, natural, layout, fit.below) : '');
    },
    refresh() {
      // A new layout from Python (its colorbar and drawing rebuilt): measure again. The
      // caller (restyle) writes the CSS after.
      watch();
      if (state.layout !== natural || !fit) {
        measure();
        apply(false);
      }
      const p = state.parts;
      if (p && p.figures.find(Boolean) !== ticked) ticks(); // new panels since
    },
    remove() {
      observer.disconnect();
      if (root) {
        root.removeEventListener('digitheat:canvas-fit', onAsk);
        root.classList.remove(tag);
      }
    },
  };
}
