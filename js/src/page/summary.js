// @ts-check
// The grid's accessible name. Its first part is the figure's summary, the same sentence
// as Python's Figure.summary() for the same figure (the SVG's <title>, the PNG's alt
// text, repr(grid)): golden cases in js/test/summary.test.mjs. The page adds what only
// it shows (the frame, the page, the view compared) and how its keys work.

import { comparing } from './compare.js';
import { valueFormat, valueText } from './format.js';
import { frameCount, frameLabel } from './frames.js';
import { panelPairs } from './limits.js';
import { labelOf, shapeOf } from './state.js';

/**
 * @typedef {object} FigureFacts  what Figure.summary() says
 * @property {number[]} shape  [count, rows, cols]
 * @property {number} low
 * @property {number} high
 * @property {string} tickFormat
 * @property {string | null | undefined} colormap  its name, or none for a list of colours
 * @property {string[]} labels
 * @property {number[]} highlighted
 * @property {boolean} [perPanel]  each panel has its own colour limits (and scale strip)
 */

/**
 * Figure.summary(): "10 heatmaps of 7 by 6 cells, colormap hot, colour limits 0.0000 to
 * 0.0147, highlighted: 3, 8".
 * @param {FigureFacts} facts
 * @returns {string}
 */
export function figureSummary({ shape, low, high, tickFormat, colormap, labels, highlighted, perPanel }) {
  const [count, rows, cols] = shape;
  const fmt = valueFormat(tickFormat);
  const chosen = highlighted.map((i) => String(labels[i] ?? i)).join(', ');
  return `${count} heatmaps of ${rows} by ${cols} cells, colormap ${colormap || 'custom colours'}, `
    + (perPanel ? 'colour limits per panel (each panel\'s scale under it)'
      : `colour limits ${valueText(low, fmt)} to ${valueText(high, fmt)}`)
    + (chosen ? `, highlighted: ${chosen}` : '');
}

/**
 * The grid's accessible name: the figure's summary, then the frame, page and view
 * shown, then the keys.
 * @param {import('./state.js').PageState} state
 * @returns {string}
 */
export function pageSummary(state) {
  const [count] = shapeOf(state);
  const { low, high, tick_format: tickFormat } = state.limits;
  const frames = frameCount(state.frames);
  const { paging } = state;
  const labels = Array.from({ length: count }, (_, p) => labelOf(state, p));
  return figureSummary({
    shape: shapeOf(state), low, high, tickFormat: tickFormat || ',.3f', colormap: state.colormap.name,
    labels, highlighted: state.highlighted, perPanel: !!panelPairs(state.limits),
  })
    + (!frames ? '' : state.frame >= 0 && state.frame < frames
      ? `, frame ${frameLabel(state.frames, state.frame)} of ${frames}`
      : `, ${frames} frames, none shown`)
    + (paging.total && paging.page !== undefined && paging.offset !== undefined
      ? `, page ${paging.page + 1} of ${paging.page_count} (panels ${paging.offset} to `
        + `${paging.offset + count - 1} of ${paging.total}; moving past the first or last cell `
        + 'turns the page)' : '')
    + (comparing(state) ? `, showing the ${state.showing}${state.showing === 'difference' ? ' data - reference' : ''} (V switches)` : '')
    + '. Arrow keys move between cells, Enter selects, H highlights a panel, '
    + 'T shows its values as a table, L links a cell across the maps'
    + (frames ? ', [ and ] step through the frames, P plays them.' : '.');
}
