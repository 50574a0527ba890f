// hearAgainIfDropped: a model whose wrapped message handler has given up (as anywidget's
// does past its 2 s start-up limit) gets ipywidgets' own handler back; one that works keeps
// its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { hearAgainIfDropped } from '../src/page/compat.js';

class WidgetModel { // ipywidgets' handler: applies what Python sent
  _handle_comm_msg(msg) {
    const { method, state } = msg.content.data;
    if (method === 'update') this.state = { ...this.state, ...state };
    return Promise.resolve();
  }
}
function anyModelClass(ready) {
  return class AnyModel extends WidgetModel { // anywidget's: waits for its runtime first
    async _handle_comm_msg(msg) {
      await ready;
      return super._handle_comm_msg(msg);
    }
  };
}
function modelWith(ready) {
  const Model = anyModelClass(ready);
  const model = new Model();
  model.state = {};
  model.comm = { handler: null, on_msg(fn) { this.handler = fn; } };
  model.comm.on_msg(model._handle_comm_msg.bind(model));
  return model;
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const update = (state) => ({ content: { data: { method: 'update', state } }, buffers: [] });

test('a model anywidget gave up on hears Python again, and asks for what it missed', async () => {
  const gaveUp = Promise.reject(new Error('[anywidget] Failed to initialize model.'));
  gaveUp.catch(() => undefined);
  const model = modelWith(gaveUp);
  await assert.rejects(model.comm.handler(update({ vmax: 0.5 }))); // dropped, as in Lab
  let dropped = 0;
  hearAgainIfDropped(model, () => { dropped += 1; });
  await settle();
  assert.equal(dropped, 1);
  await model.comm.handler(update({ vmax: 0.25 }));
  assert.deepEqual(model.state, { vmax: 0.25 });
});

test('a model that started in time keeps its handler and asks for nothing', async () => {
  const model = modelWith(Promise.resolve());
  const before = model.comm.handler;
  let dropped = 0;
  hearAgainIfDropped(model, () => { dropped += 1; });
  await settle();
  assert.equal(dropped, 0);
  assert.equal(model.comm.handler, before);
  await model.comm.handler(update({ vmax: 0.5 }));
  assert.deepEqual(model.state, { vmax: 0.5 }); // the probe changed nothing
});

test('no comm (an exported page) or no wrapped handler: nothing to do', async () => {
  let dropped = 0;
  hearAgainIfDropped({ _handle_comm_msg() {} }, () => { dropped += 1; });
  const plain = new WidgetModel();
  plain.comm = { on_msg() { throw new Error('must not be rewired'); } };
  hearAgainIfDropped(plain, () => { dropped += 1; });
  await settle();
  assert.equal(dropped, 0);
});
