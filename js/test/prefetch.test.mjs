// The prefetch asks the widget manager for each class Python names, tells Python how many
// loaded, never holds the model's creation back and never throws at a page without a
// kernel or a manager that cannot load.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import module, { prefetch } from '../src/page/prefetch.js';
import { fakeModel } from './fake-model.mjs';

const CLASSES = [
  ['FigureModel', 'bqplot', '^0.6.1'],
  ['LinearScaleModel', 'bqscales', '^0.3.4'],
  ['ButtonModel', '@jupyter-widgets/controls', '2.0.0'],
];

/** A manager that loads the classes of the modules it has, after a turn of the loop. */
function manager(modules) {
  const asked = [];
  return {
    asked,
    async loadModelClass(name, module, version) {
      asked.push([name, module, version]);
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (!modules.includes(module)) throw new Error(`no module ${module}`);
      return class {};
    },
  };
}

test('each class is asked for, with its module and version, and counted once loaded', async () => {
  const m = manager(['bqplot', 'bqscales', '@jupyter-widgets/controls']);
  assert.equal(await prefetch(m, CLASSES), 3);
  assert.deepEqual(m.asked, CLASSES);
});

test('a class that fails to load does not stop the others and is not counted', async () => {
  const m = manager(['bqplot', '@jupyter-widgets/controls']);
  assert.equal(await prefetch(m, CLASSES), 2);
  assert.equal(m.asked.length, 3);
});

test('a manager that cannot load classes, or none, loads nothing', async () => {
  assert.equal(await prefetch(undefined, CLASSES), 0);
  assert.equal(await prefetch({}, CLASSES), 0);
});

test("the model's creation is not held back, and Python hears the count", async () => {
  const model = fakeModel({ prefetch_classes: CLASSES });
  model.widget_manager = manager(['bqplot', 'bqscales', '@jupyter-widgets/controls']);
  assert.equal(module.initialize({ model }), undefined, 'initialize returned a promise to wait on');
  assert.deepEqual(model.sent, [], 'Python was told before anything loaded');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(model.sent, [{ prefetched: 3 }]);
});

test('an exported page (no kernel) loads nothing and tells no one', async () => {
  const model = fakeModel({ prefetch_classes: CLASSES });
  const m = manager(['bqplot', 'bqscales', '@jupyter-widgets/controls']);
  model.widget_manager = Object.assign(m, { noKernel: true });
  module.initialize({ model });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual([m.asked, model.sent], [[], []]);
});

test('a model whose send throws (closed meanwhile) fails quietly', async () => {
  const model = fakeModel({ prefetch_classes: CLASSES });
  model.widget_manager = manager(['bqplot']);
  model.send = () => { throw new Error('no comm'); };
  const failures = [];
  const listener = (error) => failures.push(error);
  process.on('unhandledRejection', listener);
  try {
    module.initialize({ model });
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off('unhandledRejection', listener);
  }
  assert.deepEqual(failures, []);
});
