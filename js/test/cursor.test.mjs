// The linked cursor's page rules (cursor.js): which cell it shows, each map's value there
// in the view shown, what the live region reads, the swatch's colour; and the controller's
// road (set in the page, told to Python once per cell, Python's value applied).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import controller from '../src/page/controller.js';
import { cursorShown, cursorSpeech, cursorValues, extremes, swatch, SPOKEN_MAPS } from '../src/page/cursor.js';
import { lookup } from '../src/page/registry.js';
import { createState, cursorOf } from '../src/page/state.js';
import { decode } from '../src/page/codec.js';
import { encoded, fakeModel } from './fake-model.mjs';

/** A state of `count` maps of 2 x 3, map p's cell (r, c) = p + r / 10 + c / 100. */
function stateOf(count, labels, attrs = {}) {
  const state = createState(fakeModel({
    limits: { low: 0, high: 10, tick_format: ',.2f' }, geometry: { labels },
    colormap: { stops: ['#000000', '#ffffff'] }, nan_color: 'rgba(1, 2, 3, 0.5)', ...attrs,
  }));
  const values = [];
  for (let p = 0; p < count; p++) for (let r = 0; r < 2; r++) for (let c = 0; c < 3; c++) values.push(p + r / 10 + c / 100);
  state.tensor = decode(encoded(values, [count, 2, 3], 1));
  return state;
}

test('the cursor shown is a cell of the maps held, or none', () => {
  const state = stateOf(2, ['a', 'b']);
  assert.equal(cursorShown(state), null); // off
  state.cursor = [1, 2];
  assert.deepEqual(cursorShown(state), [1, 2]);
  state.cursor = [2, 0]; // maps of another shape came: not shown
  assert.equal(cursorShown(state), null);
  assert.deepEqual(cursorOf([3, 4]), [3, 4]);
  for (const off of [[], null, [1], [1.5, 2], [-1, 0], 'ab']) assert.equal(cursorOf(off), null);
});

test('each map\'s value at the cursor (the hover format: one decimal more than the ticks\'), and the speech lists them with the highest', () => {
  const state = stateOf(3, ['cat', '<b>dog</b>', 'emu']);
  state.tensor.values[1 * 6 + 1 * 3 + 2] = NaN; // map 1's (1, 2)
  const values = cursorValues(state, [1, 2]);
  assert.deepEqual(values.map((v) => v.label), ['cat', '<b>dog</b>', 'emu']);
  assert.deepEqual(values.map((v) => v.text), ['0.120', 'NaN', '2.120']);
  assert.deepEqual(extremes(values), { highest: 2, lowest: 0 });
  assert.equal(cursorSpeech(state, [1, 2]),
    'row 1, column 2 across 3 maps: cat: 0.120, <b>dog</b>: NaN, emu: 2.120, highest emu');
});

test('past SPOKEN_MAPS maps the speech names the highest and lowest alone', () => {
  const count = SPOKEN_MAPS + 1;
  const state = stateOf(count, Array.from({ length: count }, (_, p) => `m${p}`));
  assert.equal(cursorSpeech(state, [0, 1]),
    `row 0, column 1 across ${count} maps: highest m${count - 1} (${count - 1}.010), lowest m0 (0.010)`);
  state.tensor.values.fill(NaN);
  assert.equal(cursorSpeech(state, [0, 1]), `row 0, column 1 across ${count} maps: no values`);
});

test('comparing, the cursor reads the view shown', () => {
  const state = stateOf(1, ['a']);
  state.reference = decode(encoded([1, 1, 1, 1, 1, 1], [1, 2, 3], 1));
  state.showing = 'difference';
  assert.deepEqual(cursorValues(state, [1, 0]).map((v) => v.text), ['-0.900']);
});

test('the swatch is the colour the cell is drawn in; NaN the NaN colour', () => {
  const state = stateOf(1, ['a']);
  assert.equal(swatch(state, 5), 'rgb(128, 128, 128)');
  assert.equal(swatch(state, 20), 'rgb(255, 255, 255)');
  assert.equal(swatch(state, NaN), 'rgba(1, 2, 3, 0.5)');
});

test('with per-panel limits each map\'s swatch and value follow its own panel\'s range', () => {
  const state = stateOf(2, ['a', 'b']);
  state.limits = { ...state.limits, panels: [0, 1, 100, 200] }; // panel 0: 0..1, panel 1: 100..200
  // The middle of each panel's own range is the middle grey, whatever the shared 0..10 says.
  assert.equal(swatch(state, 0.5, undefined, 0), 'rgb(128, 128, 128)');
  assert.equal(swatch(state, 150, undefined, 1), 'rgb(128, 128, 128)');
  assert.equal(swatch(state, 0.5), 'rgb(13, 13, 13)'); // without a panel: the shared scale
  state.tensor.values[0] = 0.123456; // map 0's (0, 0)
  state.tensor.values[6] = 123.456; // map 1's (0, 0)
  const [small, large] = cursorValues(state, [0, 0]).map((v) => v.text);
  const decimals = (text) => (text.split('.')[1] || '').length;
  assert.ok(decimals(small) > decimals(large), [small, large]); // each in its panel's precision
});

test('the controller: set in the page at once, Python told once per cell; Python\'s value applied', async () => {
  const model = fakeModel({
    geometry: { uid: 'cursor-test', labels: ['a', 'b'] }, limits: { low: 0, high: 10 },
    data: encoded(new Array(12).fill(1), [2, 2, 3], 1), cursor: [],
  });
  await controller.initialize({ model });
  const state = lookup('cursor-test');
  state.actions.setCursor([1, 1], true);
  state.actions.setCursor([1, 2], true); // within 50 ms: sent when they are up
  state.actions.setCursor([1, 2], true);
  assert.deepEqual(state.cursor, [1, 2]);
  assert.deepEqual(model.get('cursor'), [1, 2]); // a saved page opens with it
  assert.deepEqual(model.sent, [{ event: 'cursor', value: [1, 1] }]);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.deepEqual(model.sent, [{ event: 'cursor', value: [1, 1] }, { event: 'cursor', value: [1, 2] }]);
  model.set('cursor', [0, 0]); // from Python: shown, not told back
  assert.deepEqual(state.cursor, [0, 0]);
  model.set('cursor', []);
  assert.equal(state.cursor, null);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(model.sent.length, 2);
});
