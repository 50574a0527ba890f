// @ts-check
// The CSS of one grid, written into its controller view's <style>: NaN colour,
// highlight outline, the selected cell of the SVG panels, the focus ring, the table, the
// compact player and the linked cursor (cursor.js).
// Colours are normalised by Python (rgba(...) or #rrggbb), never the user's text; the
// root class is Python's uid.

import { DOM } from './compat.js';
import { cursorCss } from './cursor.js';

/**
 * @param {import('./state.js').PageState} state
 * @returns {string}
 */
export function stylesheet(state) {
  const { layout, nanColor, selected } = state;
  const root = `.dhg-${layout.uid}`;
  const cell = DOM.heatmapCell;
  let css = `${root} ${cell} { fill: ${nanColor}; }
${root} .dhg-panel { outline: ${layout.highlight_width}px solid transparent; outline-offset: -${layout.highlight_width}px; }
${root} .dhg-panel.dhg-highlighted { outline-color: ${layout.accent_color}; }
${root} .dhg-panel.dhg-highlighted ${DOM.figureTitle} { font-weight: bold; }
${root}.${DOM.disconnected}::before { position: absolute; }
${root} .${DOM.disconnected}::before { content: none; display: none; }
${root} .dhg-title-hit { box-shadow: none !important; background: transparent !important; border: none !important; outline: none !important; cursor: pointer; }
${root} .dhg-controller { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
${root} .dhg-body { position: relative; width: fit-content; }
${root} .dhg-body:focus { outline: 2px solid ${layout.accent_color}; outline-offset: 2px; }
${root} .dhg-focus { position: absolute; box-sizing: border-box; pointer-events: none; border: 2px solid #000; box-shadow: 0 0 0 2px #fff, inset 0 0 0 1px #fff; z-index: 5; }
${root} .dhg-table table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
${root} .dhg-table th, ${root} .dhg-table td { border: 1px solid var(--jp-border-color1, #bdbdbd); padding: 2px 6px; text-align: right; }
${root} .dhg-table caption { text-align: left; font-weight: bold; padding-bottom: 4px; }
${root} .dhg-player { display: flex; align-items: center; gap: 8px; margin: 6px 0 2px; font-size: 13px; color: var(--jp-ui-font-color1, #212121); }
${root} .dhg-player[hidden] { display: none; }
${root} .dhg-play { box-sizing: border-box; flex: none; width: 32px; height: 32px; padding: 0; display: inline-flex; align-items: center; justify-content: center; border: 1px solid var(--jp-border-color1, #bdbdbd); border-radius: 4px; background: var(--jp-layout-color1, #fff); color: inherit; cursor: pointer; }
${root} .dhg-play[aria-pressed="true"] { background: var(--jp-layout-color3, #bdbdbd); }
${root} .dhg-play:disabled { opacity: 0.5; cursor: default; }
${root} .dhg-scrub { flex: 1 1 auto; min-width: 120px; height: 24px; margin: 0; accent-color: ${layout.accent_color}; cursor: pointer; }
${root} .dhg-play:focus-visible, ${root} .dhg-scrub:focus-visible { outline: 2px solid ${layout.accent_color}; outline-offset: 2px; }
${root} .dhg-player-readout { flex: none; white-space: nowrap; font-variant-numeric: tabular-nums; }
${cursorCss(root, layout)}`;
  if (selected && selected.length === 3) {
    const [digit, row, col] = selected.map((n) => n | 0);
    css += `${root} .dhg-p${digit} ${DOM.heatmapRow}:nth-of-type(${row + 1}) ${cell}:nth-of-type(${col + 1}) { stroke: ${layout.selected_color}; stroke-width: 3px; }\n`;
  }
  return css;
}
