// Python's states that change the maps are shown one per animation frame, in order, each
// at most two frames after it came; other states keep their place in the line.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { paceStates } from '../src/page/compat.js';
import { MAX_LAG_FRAMES, nextFrame, pacer } from '../src/page/pace.js';

/** A page: animation frames run when the test says; `painted` is what each frame showed
 *  (the last map state drawn before it), as the screen would. */
function page({ hidden = false } = {}) {
  /** @type {(() => void)[]} */
  let callbacks = [];
  const p = {
    hidden,
    applied: /** @type {any[]} */ ([]),
    drawnUpTo: 0, // how many applied states the last draw showed
    painted: /** @type {any[]} */ ([]),
    frame: (/** @type {() => void} */ cb) => { callbacks.push(cb); },
    /** One animation frame: its callbacks (those asked for before it), then its paint. */
    tick() {
      const now = callbacks;
      callbacks = [];
      for (const cb of now) cb();
      const maps = p.applied.slice(0, p.drawnUpTo).filter((s) => 'patch' in s);
      p.painted.push(maps.length ? maps[maps.length - 1].patch : null);
    },
    pending: () => callbacks.length,
  };
  p.pacer = pacer({
    apply: (state) => p.applied.push(state),
    takesFrame: (state) => 'patch' in state,
    draw: () => { p.drawnUpTo = p.applied.length; },
    frame: p.frame,
    hidden: () => p.hidden,
  });
  return p;
}

test('a state that finds the page idle is applied and drawn at once', () => {
  const p = page();
  p.pacer.offer({ patch: 1 });
  assert.deepEqual(p.applied, [{ patch: 1 }]);
  assert.equal(p.drawnUpTo, 1);
  p.tick();
  assert.deepEqual(p.painted, [1]);
});

test('two states in one frame are painted in two frames, in order', () => {
  const p = page();
  p.pacer.offer({ patch: 1 });
  p.pacer.offer({ patch: 2 });
  assert.equal(p.pacer.waiting(), 1, 'the second waits while the first is not painted');
  p.tick();
  p.tick();
  assert.deepEqual(p.painted, [1, 2]);
});

test('states coming once a frame, late or early, are each painted in a frame of their own', () => {
  const p = page();
  // Arrivals per frame interval: seven states in seven intervals, unevenly.
  let next = 1;
  for (const count of [2, 0, 1, 2, 0, 1, 1, 0, 0, 0]) {
    for (let i = 0; i < count; i++) p.pacer.offer({ patch: next++ });
    p.tick();
  }
  const shown = p.painted.filter((v, i) => v !== null && v !== p.painted[i - 1]);
  assert.deepEqual(shown, Array.from({ length: next - 1 }, (_, i) => i + 1));
});

test('no state is shown later than two frames after it came: older ones are merged', () => {
  const p = page();
  p.pacer.offer({ patch: 1 });
  for (const v of [2, 3, 4]) p.pacer.offer({ patch: v });
  p.tick(); // paints 1
  p.tick(); // 4 came before the first frame: this is its second
  assert.deepEqual(p.painted, [1, 4]);
  assert.ok(p.applied.some((s) => s.patch === 2) && p.applied.some((s) => s.patch === 3),
    'merged states are still applied, in order');
  assert.deepEqual(p.applied.map((s) => s.patch), [1, 2, 3, 4]);
  assert.equal(MAX_LAG_FRAMES, 2);
});

test('a page faster than its states keeps up: each state is painted within two frames', () => {
  const p = page();
  /** @type {Map<number, number>} */
  const came = new Map();
  // Three states in each of the first four frame intervals, then none.
  let next = 1;
  for (let f = 0; f < 8; f++) {
    for (let i = 0; f < 4 && i < 3; i++) { came.set(next, f); p.pacer.offer({ patch: next++ }); }
    p.tick();
  }
  const last = next - 1;
  const lastFrame = p.painted.indexOf(last);
  assert.ok(lastFrame >= 0 && lastFrame - came.get(last) + 1 <= MAX_LAG_FRAMES,
    `the last state came before frame ${came.get(last)} and was painted in frame ${lastFrame}`);
  const order = p.painted.filter((v) => v !== null);
  assert.deepEqual(order, [...order].sort((a, b) => a - b), 'never painted out of order');
});

test('a state that changes no map keeps its place: never applied before the maps before it', () => {
  const p = page();
  p.pacer.offer({ patch: 1 });
  p.pacer.offer({ patch: 2, limits: 'auto of 2' });
  p.pacer.offer({ limits: 'set by a cell' });
  assert.deepEqual(p.applied.map((s) => s.limits ?? null), [null], 'both wait behind 2');
  p.tick();
  p.tick();
  assert.deepEqual(p.applied.map((s) => s.limits ?? null), [null, 'auto of 2', 'set by a cell']);
  assert.equal(p.pacer.waiting(), 0);
});

test('a state that changes no map, on an idle page, is applied at once and takes no frame', () => {
  const p = page();
  p.pacer.offer({ limits: 'a' });
  p.pacer.offer({ colormap: 'b' });
  assert.equal(p.applied.length, 2);
  assert.equal(p.pending(), 0, 'no frame asked for');
  assert.equal(p.drawnUpTo, 0, 'drawn by the controller, as before');
});

test('once every state is shown the pacer stops asking for frames, and applies at once again', () => {
  const p = page();
  p.pacer.offer({ patch: 1 });
  p.pacer.offer({ patch: 2 });
  for (let i = 0; i < 4; i++) p.tick();
  assert.equal(p.pending(), 0);
  p.pacer.offer({ patch: 3 });
  assert.equal(p.applied.length, 3);
});

test('a page nobody sees applies everything at once, what waited first', () => {
  const p = page();
  p.pacer.offer({ patch: 1 });
  p.pacer.offer({ patch: 2 });
  p.hidden = true;
  p.pacer.offer({ patch: 3 });
  assert.deepEqual(p.applied.map((s) => s.patch), [1, 2, 3]);
  assert.equal(p.pacer.waiting(), 0);
});

test('nextFrame runs its callback once, from a timer where no frame comes', async () => {
  let runs = 0;
  await new Promise((resolve) => nextFrame(() => { runs++; resolve(undefined); }));
  assert.equal(runs, 1, 'node has no animation frames: the timer ran it');
});

class WidgetModel { // ipywidgets' set_state: applies one state Python sent, all its parts
  constructor() { this.states = []; }
  set_state(state) { this.states.push(state); }
}

test("paceStates puts the model's set_state through the pacer, with the model as this", () => {
  const model = new WidgetModel();
  /** @type {any[]} */
  const offered = [];
  let apply = null;
  const installed = paceStates(model, (applyState) => {
    apply = applyState;
    return { offer: (state) => offered.push(state) };
  });
  assert.equal(installed, true);
  model.set_state({ patch: 1 }); // what ipywidgets calls for each 'update' message
  assert.deepEqual(offered, [{ patch: 1 }]);
  assert.deepEqual(model.states, [], 'not applied until the pacer says so');
  apply({ patch: 1 });
  assert.deepEqual(model.states, [{ patch: 1 }]);
  assert.equal(paceStates(model, () => { throw new Error('paced twice'); }), false);
});

test('paceStates leaves a model without set_state as it is', () => {
  const model = { get: () => null };
  assert.equal(paceStates(model, () => { throw new Error('no set_state to pace'); }), false);
  assert.equal(paceStates(null, () => ({ offer() {} })), false);
  assert.equal('set_state' in model, false);
});

test('nextFrame cancelled runs nothing', async () => {
  let runs = 0;
  const cancel = nextFrame(() => { runs++; });
  cancel();
  await new Promise((resolve) => nextFrame(() => resolve(undefined)));
  assert.equal(runs, 0);
});
