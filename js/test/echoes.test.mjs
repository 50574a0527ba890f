// Answers from Python to values the page has moved past are skipped; the answer to the
// latest, Python's own values and answers to forgotten values stand.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ECHO_MS, Echoes } from '../src/page/echoes.js';

function clock() {
  const c = { t: 0, now: () => c.t };
  return c;
}

test('answers to values moved past are skipped, the answer to the latest stands', () => {
  const echoes = new Echoes(clock().now);
  for (const v of [0.014, 0.013, 0.012, 0.011]) echoes.send([0, v]);
  assert.equal(echoes.stale([0, 0.014]), true);
  assert.equal(echoes.stale([0, 0.012]), true); // 0.013 was never answered (merged)
  assert.equal(echoes.stale([0, 0.011]), false);
  assert.equal(echoes.stale([0, 0.012]), false, 'everything sent was answered');
});

test("Python's own value stands, and ends the wait for answers", () => {
  const echoes = new Echoes(clock().now);
  echoes.send([0, 0.014]);
  echoes.send([0, 0.013]);
  assert.equal(echoes.stale([0, 0.005]), false); // a cell set vmax meanwhile
  assert.equal(echoes.stale([0, 0.014]), false);
});

test('a value sent twice: its first answer is stale while a later value waits', () => {
  const echoes = new Echoes(clock().now);
  for (const v of [1, 2, 1]) echoes.send([0, v]);
  assert.equal(echoes.stale([0, 1]), true);
  assert.equal(echoes.stale([0, 2]), true);
  assert.equal(echoes.stale([0, 1]), false);
});

test('values unanswered for ECHO_MS are forgotten: an answer naming one stands', () => {
  const c = clock();
  const echoes = new Echoes(c.now);
  echoes.send([0, 1]);
  c.t = 10;
  echoes.send([0, 2]);
  c.t = ECHO_MS + 5;
  assert.equal(echoes.stale([0, 1]), false);
});
