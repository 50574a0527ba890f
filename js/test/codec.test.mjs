// The patch rule (codec.js patchFollows): which patches a page may put into the stack it
// holds. Cases: the live sequence, a missed patch, and the cell-end patch Python sends
// with `base` (what a notebook saved by nbconvert or myst-nb holds after the first stack).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { patchFollows } from '../src/page/codec.js';

test('the next patch in sequence follows the stack held', () => {
  assert.equal(patchFollows({}, 4, 3), true);
});

test('a gap in the sequence does not follow: the page asks for the whole stack', () => {
  assert.equal(patchFollows({}, 5, 3), false);
  assert.equal(patchFollows({}, 3, 3), false);
});

test('a patch of every change since the stack held follows it, however many came between', () => {
  assert.equal(patchFollows({ base: 0 }, 7, 0), true);
  assert.equal(patchFollows({ base: 2 }, 7, 0), false); // built on another stack
  assert.equal(patchFollows({ base: 0 }, 0, 0), false); // not newer than what is held
});
