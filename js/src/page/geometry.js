// @ts-check
// Where things are: twins of figure/layout.py's GridGeometry (panel_origin, plot_origin,
// hit, colorbar_width, colorbar_margin, and to_page at other columns and cell sizes, for
// a grid fitted to a narrow container: fit.js). Every size comes from Python (the
// controller's and the canvas' `geometry`, GridGeometry.to_page()); nothing here has a
// size of its own. Golden cases: js/test/geometry.test.mjs.

/**
 * @typedef {object} Margin
 * @property {number} top
 * @property {number} bottom
 * @property {number} left
 * @property {number} right
 */

/**
 * @typedef {object} PageLayout  Figure.page_layout() (+ the grid's uid, for the controller)
 * @property {number} count
 * @property {number} rows
 * @property {number} cols
 * @property {number} columns
 * @property {number} cell
 * @property {Margin} margin
 * @property {number} gap_x
 * @property {number} gap_y
 * @property {number} panel_width
 * @property {number} panel_height
 * @property {number} plot_width
 * @property {number} plot_height
 * @property {number} width
 * @property {number} height
 * @property {number[]} x_ticks
 * @property {number[]} y_ticks
 * @property {number} tick_font_px
 * @property {number} title_font_px
 * @property {number} tick_length
 * @property {number} tick_padding
 * @property {string} accent_color
 * @property {number} highlight_width
 * @property {string} selected_color
 * @property {number} dimmed_opacity
 * @property {number} colorbar_bar_left
 * @property {number} colorbar_bar_width
 * @property {number} colorbar_inset
 * @property {number} colorbar_height
 * @property {number} max_colorbar_height
 * @property {number} min_tick_spacing
 * @property {{height: number, gap: number, bar: number}} [strip]  per-panel limits: each
 *   panel's scale strip under its axis (GridGeometry.strip; its height is in panel_height)
 * @property {boolean} [fit_columns]  the page may use fewer columns where narrow
 * @property {number} [fit_min_cell]  the smallest cell the page may scale to
 * @property {string[]} [labels]
 * @property {string[]} [title_tooltips]
 * @property {string} [uid]
 */

/**
 * @typedef {{kind: 'cell', digit: number, row: number, col: number}
 *   | {kind: 'title', digit: number}} Hit  what a point of the grid is on
 */

/**
 * Top-left corner of panel `p` in the grid, reading order.
 * @param {PageLayout} g
 * @param {number} p
 * @returns {[number, number]}
 */
export function panelOrigin(g, p) {
  return [(p % g.columns) * (g.panel_width + g.gap_x), Math.floor(p / g.columns) * (g.panel_height + g.gap_y)];
}

/**
 * Top-left corner of panel `p`'s cells.
 * @param {PageLayout} g
 * @param {number} p
 * @returns {[number, number]}
 */
export function plotOrigin(g, p) {
  const [x, y] = panelOrigin(g, p);
  return [x + g.margin.left, y + g.margin.top];
}

/**
 * Top-left corner of cell (row, col) of panel `p`.
 * @param {PageLayout} g
 * @param {number} p
 * @param {number} row
 * @param {number} col
 * @returns {[number, number]}
 */
export function cellOrigin(g, p, row, col) {
  const [x, y] = plotOrigin(g, p);
  return [x + col * g.cell, y + row * g.cell];
}

/**
 * What is under point (x, y) of the grid in CSS px: a cell, a title (the top margin
 * inside the highlight outline, as the SVG panels' title button), or null.
 * @param {PageLayout} g
 * @param {number} x
 * @param {number} y
 * @returns {Hit | null}
 */
export function hit(g, x, y) {
  const stepX = g.panel_width + g.gap_x;
  const stepY = g.panel_height + g.gap_y;
  const pc = Math.floor(x / stepX);
  const pr = Math.floor(y / stepY);
  if (pc < 0 || pc >= g.columns || pr < 0) return null;
  const lx = x - pc * stepX;
  const ly = y - pr * stepY;
  const digit = pr * g.columns + pc;
  if (lx >= g.panel_width || ly >= g.panel_height || digit >= g.count) return null;
  const cx = lx - g.margin.left;
  const cy = ly - g.margin.top;
  if (cx >= 0 && cx < g.plot_width && cy >= 0 && cy < g.plot_height) {
    return { kind: 'cell', digit, row: Math.floor(cy / g.cell), col: Math.floor(cx / g.cell) };
  }
  const edge = g.highlight_width;
  if (ly >= edge && ly < g.margin.top && lx >= edge && lx < g.panel_width - edge) {
    return { kind: 'title', digit };
  }
  return null;
}

/**
 * How many axis labels fit along `length` cells of `cell` px (GridGeometry.tick_count).
 * @param {number} length
 * @param {number} cell
 * @param {number} spacing  min_tick_spacing
 */
export function tickCount(length, cell, spacing) {
  return Math.max(2, Math.ceil(length / Math.max(1, Math.ceil(spacing / cell))));
}

/**
 * The ticked indices among 0..length-1 (GridGeometry.tick_positions).
 * @param {number} length
 * @param {number} cell
 * @param {number} spacing
 * @returns {number[]}
 */
function tickPositions(length, cell, spacing) {
  const count = tickCount(length, cell, spacing);
  const all = [...Array(length).keys()];
  if (length <= count) return all;
  const step = Math.floor(length / (count - 1));
  return all.filter((i) => i % step === 0);
}

/**
 * The layout of the same grid drawn with `columns` columns and `cell` px per cell:
 * GridGeometry(rows, cols, panels, columns, cell).to_page(), over `natural`'s other keys
 * (titles, colours, the fit policy).
 * @param {PageLayout} natural
 * @param {number} columns
 * @param {number} cell
 * @returns {PageLayout}
 */
export function layoutAt(natural, columns, cell) {
  if (columns === natural.columns && cell === natural.cell) return natural;
  const { rows, cols, count, margin, gap_x: gapX, gap_y: gapY } = natural;
  const spacing = natural.min_tick_spacing;
  const plotWidth = cols * cell;
  const plotHeight = rows * cell;
  const panelWidth = plotWidth + margin.left + margin.right;
  const panelHeight = plotHeight + margin.top + margin.bottom + (natural.strip ? natural.strip.height : 0);
  const gridRows = Math.ceil(count / columns);
  const height = gridRows * panelHeight + (gridRows - 1) * gapY;
  return {
    ...natural,
    columns,
    cell,
    plot_width: plotWidth,
    plot_height: plotHeight,
    panel_width: panelWidth,
    panel_height: panelHeight,
    width: columns * panelWidth + (columns - 1) * gapX,
    height,
    colorbar_height: Math.min(height, natural.max_colorbar_height),
    x_ticks: tickPositions(cols, cell, spacing),
    // Row 0 is at the top: bqplot's reversed row scale thins from the last row up.
    y_ticks: tickPositions(rows, cell, spacing).map((p) => rows - 1 - p).sort((a, b) => a - b),
  };
}

/** Width of the longest tick label at the tick font (layout.py's label_px).
 * @param {string[]} labels */
function labelPx(labels) {
  return Math.floor((labels.length ? Math.max(...labels.map((t) => t.length)) : 4) * 6.5);
}

/**
 * The colorbar figure's width and bqplot margins for these tick labels
 * (GridGeometry.colorbar_width and colorbar_margin).
 * @param {string[]} labels
 * @param {Pick<PageLayout, 'colorbar_bar_left' | 'colorbar_bar_width' | 'margin' | 'colorbar_inset'>} layout
 * @returns {{width: number, margin: Margin}}
 */
export function colorbarSize(labels, layout) {
  const px = labelPx(labels);
  const width = layout.colorbar_bar_left + layout.colorbar_bar_width + 8 + px;
  const right = 2 * (px + 8);
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
