// Python's answers to what the page chose (a frame, a view) arrive while the page moves
// on: an answer to a choice the page has moved past leaves the page on its own choice,
// with its own limits, whichever order the answer's parts come in (Python's key order).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import controller from '../src/page/controller.js';
import { lookup } from '../src/page/registry.js';
import { encoded, fakeModel } from './fake-model.mjs';

const AUTO = [[0, 1], [0, 2], [0, 4]]; // each frame's automatic limits (Python's)
const limits = (high) => ({ vmin: null, vmax: null, low: 0, high, tick_format: ',.1f' });

async function framesGrid(uid) {
  const model = fakeModel({
    geometry: { uid, labels: ['0'] },
    limits: limits(1), auto_limits: [0, 1],
    colormap: { name: 'hot', stops: ['#000000', '#ffffff'] },
    nan_color: 'rgba(74, 144, 217, 1.000)',
    highlighted: [], selected: [], paging: {}, compare: {},
    data: encoded([0, 1], [1, 1, 2], 1),
    frames: encoded([0, 1, 0, 2, 0, 4], [3, 1, 1, 2], 1, { labels: ['a', 'b', 'c'], auto: AUTO }),
    frame: 0,
    frame_limits: 'per-frame',
  });
  await controller.initialize({ model });
  return { model, state: lookup(uid) };
}

for (const order of [['frame', 'limits'], ['limits', 'frame']]) {
  test(`an answer to a frame moved past leaves the page on its own (${order.join(' then ')})`, async () => {
    const { model, state } = await framesGrid(`answers-${order[0]}`);
    state.actions.stepFrame(1);
    state.actions.stepFrame(1); // frames 1 and 2 chosen in the page, both told to Python
    assert.equal(state.frame, 2);
    const answer = { frame: 1, limits: limits(2) }; // Python's answer to frame 1
    model.set(Object.fromEntries(order.map((key) => [key, answer[key]])));
    await Promise.resolve(); // the end of the message
    assert.equal(state.frame, 2, 'pulled back to the frame answered');
    assert.deepEqual([...state.tensor.values], [0, 4]);
    assert.deepEqual([state.limits.low, state.limits.high], [0, 4], "the answer's limits stayed");
    model.set({ frame: 2, limits: limits(4) }); // the answer to the latest
    await Promise.resolve();
    assert.equal(state.frame, 2);
    model.set({ frame: 0, limits: limits(1) }); // Python's own choice stands
    await Promise.resolve();
    assert.equal(state.frame, 0);
    assert.deepEqual([...state.tensor.values], [0, 1]);
    assert.deepEqual([state.limits.low, state.limits.high], [0, 1]);
  });
}
