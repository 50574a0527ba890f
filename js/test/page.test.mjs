// Page rules without a browser: keys, the value text a person hears, the mosaic's
// colours, and the other libraries' details behind compat.js.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { mosaicLayout, paintMosaic, parseStops } from '../src/page/canvas-draw.js';
import { interceptSends, setLocal, userSavesOnly } from '../src/page/compat.js';
import controller from '../src/page/controller.js';
import { move, pastEdge, readout, turnStatus } from '../src/page/keyboard.js';
import { lookup } from '../src/page/registry.js';
import { clickEvent, createState } from '../src/page/state.js';
import { encoded, fakeModel } from './fake-model.mjs';
import { decode } from '../src/page/codec.js';

test('arrow keys move in reading order and clamp at the ends', () => {
  const shape = [2, 2, 3];
  assert.deepEqual(move('ArrowRight', false, [0, 0, 2], shape), [0, 1, 0]);
  assert.deepEqual(move('ArrowDown', false, [0, 1, 1], shape), [1, 0, 1]);
  assert.deepEqual(move('ArrowUp', false, [1, 0, 2], shape), [0, 1, 2]);
  assert.deepEqual(move('ArrowLeft', false, [0, 0, 0], shape), [0, 0, 0]);
  assert.deepEqual(move('End', true, [0, 0, 0], shape), [1, 1, 2]);
  assert.equal(move('x', false, [0, 0, 0], shape), null);
  assert.ok(pastEdge('ArrowRight', [1, 1, 2], shape));
  assert.ok(!pastEdge('ArrowRight', [1, 1, 1], shape));
});

test('the readout says NaN as the hover does (one wording)', () => {
  const state = createState(fakeModel({ limits: { low: 0, high: 1, tick_format: ',.1f' }, geometry: { labels: ['p'] } }));
  state.tensor = decode(encoded([NaN, 0.25], [1, 1, 2], 1));
  assert.equal(readout(state, [0, 0, 0]), 'p, row 0, column 0, value NaN');
  assert.equal(readout(state, [0, 0, 1]), 'p, row 0, column 1, value 0.25');
});

test('the mosaic: NaN in its colour, values clamped and interpolated between stops', () => {
  const mosaic = mosaicLayout(1, 1, 4);
  const data = new Uint8ClampedArray(4 * mosaic.width * mosaic.height);
  assert.ok(paintMosaic(data, [NaN, -1, 0.5, 2], mosaic, parseStops(['#000000', '#ffffff']), 0, 1, [1, 2, 3, 4]));
  assert.deepEqual([...data], [1, 2, 3, 4, 0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255]);
  assert.ok(!paintMosaic(data, [1], mosaic, parseStops([]), 0, 1, [0, 0, 0, 0]));
});

test('setLocal keeps page-side values out of the diff ipywidgets would send', () => {
  const model = fakeModel({});
  model._buffered_state_diff = { other: 1 };
  setLocal(model, { min: 0 });
  assert.deepEqual(model._buffered_state_diff, { other: 1 });
  assert.equal(model.get('min'), 0);
});

test('interceptSends: a handler decides what goes on to Python', () => {
  const model = fakeModel({});
  const seen = [];
  interceptSends(model, (content) => { seen.push(content.event); return content.event === 'keep'; });
  model.send({ event: 'element_click' });
  model.send({ event: 'keep' });
  assert.deepEqual(seen, ['element_click', 'keep']);
  assert.deepEqual(model.sent, [{ event: 'keep' }]);
});

test('userSavesOnly drops saves made under the kernel\'s state lock', () => {
  const model = fakeModel({});
  let saved = 0;
  model.save_changes = () => { saved += 1; };
  userSavesOnly(model, () => false);
  model.save_changes();
  model._state_lock = {};
  model._buffered_state_diff = { value: 3 };
  model.save_changes();
  assert.equal(saved, 1);
  assert.deepEqual(model._buffered_state_diff, {});
});

test('a click tells Python the page it was made on (paged), or nothing more (not paged)', () => {
  const paged = createState(fakeModel({ paging: { page: 1, page_count: 4, offset: 60, total: 200 } }));
  paged.tensor = decode(encoded([0, 0, 0, 0, 0, 0], [3, 1, 2], 1));
  assert.deepEqual(clickEvent(paged, 'selected', [2, 0, 1]),
    { event: 'selected', value: [2, 0, 1], offset: 60, count: 3 });
  assert.deepEqual(clickEvent(paged, 'highlighted', [0, 2]),
    { event: 'highlighted', value: [0, 2], offset: 60, count: 3 });
  const whole = createState(fakeModel({ paging: {} }));
  assert.deepEqual(clickEvent(whole, 'selected', [0, 0, 0]), { event: 'selected', value: [0, 0, 0] });
  assert.deepEqual(clickEvent(createState(fakeModel({})), 'highlighted', [1]),
    { event: 'highlighted', value: [1] });
});

test('a click names the stack its maps belong to, and its page (offset 0 unpaged)', () => {
  const paged = createState(fakeModel({ paging: { stack: 7, page: 1, page_count: 4, offset: 60, total: 200 } }));
  paged.tensor = decode(encoded([0, 0, 0, 0, 0, 0], [3, 1, 2], 1));
  assert.deepEqual(clickEvent(paged, 'selected', [2, 0, 1]),
    { event: 'selected', value: [2, 0, 1], stack: 7, offset: 60, count: 3 });
  const whole = createState(fakeModel({ paging: { stack: 0 } }));
  whole.tensor = decode(encoded([0, 0], [2, 1, 1], 1));
  assert.deepEqual(clickEvent(whole, 'highlighted', [1]),
    { event: 'highlighted', value: [1], stack: 0, offset: 0, count: 2 });
  // A new stack comes with its number: the next click names it.
  whole.paging = { stack: 8 };
  assert.equal(clickEvent(whole, 'selected', [0, 0, 0]).stack, 8);
});

test('a page turn the keys ask for names the stack it was asked on, as a click does', async () => {
  const model = fakeModel({
    geometry: { uid: 'turn-1', labels: ['20', '21'] },
    limits: { vmin: null, vmax: null, low: 0, high: 1, tick_format: ',.1f' }, auto_limits: [0, 1],
    colormap: { name: 'hot', stops: ['#000000', '#ffffff'] }, nan_color: 'rgba(0, 0, 0, 1.000)',
    highlighted: [], selected: [], compare: {}, frame: -1,
    paging: { stack: 7, page: 1, page_count: 4, offset: 20, total: 70 },
    data: encoded([0, 0, 0, 0], [2, 1, 2], 1),
  });
  model.widget_manager = { ...model.widget_manager, noKernel: false }; // a kernel listens
  await controller.initialize({ model });
  const state = lookup('turn-1');
  assert.equal(state.actions.turnPage(1), true);
  assert.deepEqual(model.sent.at(-1), { event: 'page', value: [2], stack: 7, offset: 20, count: 2 });
  // Python gave the grid another stack (its page 0 comes with its number): the next turn
  // names it; past the last page there is none to ask for.
  model.set('paging', { stack: 8, page: 3, page_count: 4, offset: 60, total: 70 });
  assert.equal(state.actions.turnPage(-1), true);
  assert.deepEqual(model.sent.at(-1), { event: 'page', value: [2], stack: 8, offset: 60, count: 2 });
  const sent = model.sent.length;
  assert.equal(state.actions.turnPage(1), false);
  assert.equal(model.sent.length, sent);
});

test('the keys wait for the page they asked for, not for a new stack\'s page', () => {
  const layout = { labels: ['0'] };
  const turning = { page: 0, stack: 7, seq: 3, layout, edge: 'last' };
  const state = /** @type {any} */ ({ paging: { stack: 7, page: 1 }, tensor: { seq: 3 }, layout });
  assert.equal(turnStatus(turning, state), 'waiting');
  // Page 0 of the same stack, its values and titles in: arrived.
  assert.equal(turnStatus(turning, { ...state, paging: { stack: 7, page: 0 }, tensor: { seq: 4 },
    layout: { labels: ['9'] } }), 'arrived');
  // Its number came, its values not yet: still waiting.
  assert.equal(turnStatus(turning, { ...state, paging: { stack: 7, page: 0 } }), 'waiting');
  // Page 0 of another stack (Python ignores the turn): not the page asked for.
  assert.equal(turnStatus(turning, { ...state, paging: { stack: 8, page: 0 }, tensor: { seq: 1 },
    layout: { labels: ['a'] } }), 'dropped');
  // A page saved before stacks were numbered: as before.
  assert.equal(turnStatus({ ...turning, stack: undefined }, { paging: { page: 0 },
    tensor: { seq: 4 }, layout: { labels: ['9'] } }), 'arrived');
});
