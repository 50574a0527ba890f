// When the controller draws what a message brings: a message finding the page idle is
// drawn at once, all of its parts, whatever their order (Python's key order follows its
// hash seed). A per-panel full update brings limits and maps; with the limits first, the
// maps used to wait for the next animation frame.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import controller from '../src/page/controller.js';
import { lookup } from '../src/page/registry.js';
import { encoded, fakeModel } from './fake-model.mjs';

/** A grid of one 1x2 map drawn on a canvas (a fake canvas model records what it gets). */
async function canvasGrid(uid) {
  const canvas = fakeModel({});
  canvas._buffered_state_diff = {};
  const limits = (low, high) => ({ vmin: null, vmax: null, low, high, tick_format: ',.1f',
    panels: [low, high] });
  const model = fakeModel({
    geometry: { uid, labels: ['0'] },
    limits: limits(0, 1), auto_limits: [0, 1],
    colormap: { name: 'hot', stops: ['#000000', '#ffffff'] },
    nan_color: 'rgba(74, 144, 217, 1.000)',
    highlighted: [], selected: [], paging: {}, compare: {},
    data: encoded([0.25, 0.5], [1, 1, 2], 1),
    canvas: 'IPY_MODEL_canvas',
  });
  model.widget_manager = { noKernel: true, get_model: async () => canvas };
  await controller.initialize({ model });
  return { model, canvas, limits, state: lookup(uid) };
}

for (const order of [['limits', 'auto_limits', 'patch'], ['patch', 'limits', 'auto_limits']]) {
  test(`a message's maps are drawn with it, before any animation frame (${order.join(', ')})`, async () => {
    const { model, canvas, limits, state } = await canvasGrid(`redraw-${order[0]}`);
    assert.deepEqual([...canvas.attrs.values], [0.25, 0.5]); // drawn when it was shown
    const frames = [];
    const { requestAnimationFrame: raf, cancelAnimationFrame: caf } = globalThis;
    globalThis.requestAnimationFrame = (fn) => frames.push(fn); // no frame comes meanwhile
    globalThis.cancelAnimationFrame = () => {};
    try {
      const parts = {
        limits: limits(0, 2), auto_limits: [0, 2],
        patch: encoded([1.5, 2], [1, 1, 2], 2, { indices: [0] }),
      };
      // One message: ipywidgets sets its keys at once, one change event each.
      model.set(Object.fromEntries(order.map((key) => [key, parts[key]])));
      await Promise.resolve(); // the end of the message
      assert.deepEqual([...state.tensor.values], [1.5, 2]);
      assert.deepEqual([...canvas.attrs.values], [1.5, 2], 'the maps waited for a frame');
      assert.deepEqual(canvas.attrs.panel_limits, [[0, 2]]);
      assert.equal(frames.length, 0);
    } finally {
      globalThis.requestAnimationFrame = raf;
      globalThis.cancelAnimationFrame = caf;
    }
  });
}
