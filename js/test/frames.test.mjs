// Frames in the page: Python's per-frame limits travel with the frames, and a record()
// after an emptied history starts a new one (both were page-side defects).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import controller from '../src/page/controller.js';
import { decode } from '../src/page/codec.js';
import {
  appendFrames, frameAuto, frameLimits, frameReadout, playerView, readFrames, relabelFrames,
} from '../src/page/frames.js';
import { readout } from '../src/page/keyboard.js';
import { lookup } from '../src/page/registry.js';
import { pageSummary } from '../src/page/summary.js';
import { cases } from './golden.mjs';
import { encoded, fakeModel } from './fake-model.mjs';

const constant = cases.frames.find((c) => c.name === 'constant frame' && c.vmin === null);

/** A controller model as an exported page holds it: 2 frames of (1, 2, 2), the first all 0.005. */
function framesModel(uid, frames, extra = {}) {
  return fakeModel({
    geometry: { uid, labels: ['0'] },
    limits: { vmin: null, vmax: null, low: 0, high: 0.01, tick_format: ',.3f' },
    auto_limits: [0, 0.01],
    colormap: { name: 'hot', stops: ['#000000', '#ffffff'] },
    nan_color: 'rgba(74, 144, 217, 1.000)',
    highlighted: [], selected: [], paging: {}, compare: {},
    data: encoded([0, 0.002, 0.004, 0.01], [1, 2, 2], 1),
    frames,
    frame: 1,
    frame_limits: 'per-frame',
    ...extra,
  });
}

test('a constant frame shown page-side gets Python\'s limits, not 0.005 +- 0.5', async () => {
  const model = framesModel('frames-1', encoded([0.005, 0.005, 0.005, 0.005, 0, 0.002, 0.004, 0.01],
    [2, 1, 2, 2], 1, { labels: ['a', 'b'], auto: [[0.00475, 0.00525], [0, 0.01]] }));
  await controller.initialize({ model });
  const state = lookup('frames-1');
  model.set('frame', 0); // Python (or a slider, a key) shows the constant frame
  assert.deepEqual([state.limits.low, state.limits.high], [0.00475, 0.00525]);
  assert.equal(state.limits.tick_format, ',.5f');
  assert.equal(readout(state, [0, 0, 0]), '0, row 0, column 0, value 0.005000');
  assert.match(pageSummary(state), /colour limits 0\.004750 to 0\.005250, frame a of 2/);
});

test('the golden constant frame: the page uses the automatic limits sent with it', () => {
  const frames = { values: new Float32Array(3 * 18).fill(0.005), shape: [3, 2, 3, 3], seq: 1,
    labels: ['0', '1', '2'], auto: constant.auto };
  const limits = frameLimits(frames, 0, null, null);
  assert.deepEqual([limits.low, limits.high], constant.limits[0]);
});

test('frames saved without automatic limits: each frame\'s own, as data.auto_limits', () => {
  const frames = readFrames(encoded([0.5, 0.5, 1, 3], [2, 1, 1, 2], 1, { labels: ['x', 'y'] }));
  assert.deepEqual(frameAuto(frames, 0), [0.475, 0.525]);
  assert.deepEqual(frameAuto(frames, 1), [1, 3]);
});

test('a record() after grid.frames = np.zeros((0, 0, 0, 0)) starts a new history', async () => {
  const model = framesModel('frames-2', encoded([], [0, 0, 0, 0], 1, { labels: [], auto: [] }),
    { frame: -1 });
  await controller.initialize({ model });
  const state = lookup('frames-2');
  assert.deepEqual(state.frames.shape, [0, 0, 0, 0]);
  model.set('frames_patch', encoded([1, 2, 3, 4], [1, 1, 2, 2], 2,
    { drop: 0, labels: ['0'], auto: [[1, 4]] }));
  assert.deepEqual(state.frames.shape, [1, 1, 2, 2]); // was [Infinity, 0, 0, 0]
  assert.deepEqual(state.frames.labels, ['0']);
  model.set('frame', 0);
  assert.equal(state.frame, 0);
  assert.deepEqual([...state.tensor.values], [1, 2, 3, 4]);
  assert.deepEqual([state.limits.low, state.limits.high], [1, 4]);
  // The model's own state follows (a saved or exported page holds the new history).
  assert.deepEqual(decode(model.attrs.frames).shape, [1, 1, 2, 2]);
  assert.deepEqual(model.attrs.frames.auto, [[1, 4]]);
});

test('appendFrames drops the oldest frames with their labels and limits', () => {
  const held = readFrames(encoded([1, 2, 3, 4, 5, 6], [3, 1, 1, 2], 4,
    { labels: ['a', 'b', 'c'], auto: [[1, 2], [3, 4], [5, 6]] }));
  const added = decode(encoded([7, 8], [1, 1, 1, 2], 5));
  const next = appendFrames(held, added, { drop: 1, labels: ['d'], auto: [[7, 8]] });
  assert.deepEqual(next.shape, [3, 1, 1, 2]);
  assert.deepEqual([...next.values], [3, 4, 5, 6, 7, 8]);
  assert.deepEqual(next.labels, ['b', 'c', 'd']);
  assert.deepEqual(next.auto, [[3, 4], [5, 6], [7, 8]]);
  assert.equal(next.seq, 5);
});

test('maps of another shape replace the history rather than mixing with it', () => {
  const held = readFrames(encoded([1, 2], [1, 1, 1, 2], 1, { labels: ['a'], auto: [[1, 2]] }));
  const added = decode(encoded([1, 2, 3], [1, 1, 1, 3], 2));
  const next = appendFrames(held, added, { drop: 0, labels: ['b'], auto: [[1, 3]] });
  assert.deepEqual(next.shape, [1, 1, 1, 3]);
  assert.deepEqual(next.labels, ['b']);
});

test('relabelled frames keep their maps; a page showing none of them says so', () => {
  const held = { values: new Float32Array(8), shape: [2, 1, 2, 2], seq: 3, labels: ['0', '1'], auto: [null, null] };
  const renamed = relabelFrames(held, { relabel: true, seq: 4, labels: ['lr 0.1', 'lr 0.01'] });
  assert.deepEqual(renamed.labels, ['lr 0.1', 'lr 0.01']);
  assert.equal(renamed.values, held.values);
  assert.equal(renamed.seq, 4);
  assert.equal(frameReadout(renamed, 1), 'lr 0.01 (2 of 2)');
  assert.equal(frameReadout(renamed, -1), 'none shown (2 frames)');
  const state = { frames: renamed, frame: -1, tensor: { values: new Float32Array(4), shape: [1, 2, 2] },
    limits: { low: 0, high: 1, tick_format: ',.1f' }, colormap: { name: 'hot' }, highlighted: [],
    layout: { labels: ['0'] }, paging: {}, reference: null, showing: 'data' };
  assert.match(pageSummary(/** @type {any} */ (state)), /, 2 frames, none shown\./);
});

test('the compact player: shown with frames, unless the controller\'s show_player is False', () => {
  const two = { values: new Float32Array(8), shape: [2, 1, 2, 2], seq: 1, labels: ['a', 'b'], auto: [null, null] };
  const one = { ...two, values: new Float32Array(4), shape: [1, 1, 2, 2], labels: ['a'], auto: [null] };
  const empty = { ...two, values: new Float32Array(0), shape: [0, 0, 0, 0], labels: [], auto: [] };
  assert.deepEqual(playerView(two, 1, true), { max: 1, value: 1, text: 'b (2 of 2)', playable: true });
  // No frame shown (data assigned since): the scrubber rests on the first, the readout says so.
  assert.deepEqual(playerView(two, -1, true), { max: 1, value: 0, text: 'none shown (2 frames)', playable: true });
  // One frame: a scrubber of one position, nothing to play (as P finds).
  assert.deepEqual(playerView(one, 0, true), { max: 0, value: 0, text: 'a (1 of 1)', playable: false });
  assert.equal(playerView(null, -1, true), null);
  assert.equal(playerView(empty, -1, true), null);
  // show_player False (asked not to, or the control panel's playback row plays them).
  assert.equal(playerView(two, 0, false), null);
});

test('the player\'s state follows Python\'s show_player; its actions are the keys\' own', async () => {
  const model = framesModel('frames-player', encoded([0, 0, 0, 0, 1, 1, 1, 1], [2, 1, 2, 2], 1,
    { labels: ['a', 'b'], auto: [[0, 1], [0, 1]] }), { show_player: false });
  await controller.initialize({ model });
  const state = lookup('frames-player');
  assert.equal(state.showPlayer, false);
  model.set('show_player', true);
  assert.equal(state.showPlayer, true);
  // The player's scrubber: frame 0 shown in the page; Python hears of it only when told.
  assert.equal(state.actions.showFrame(0, false), true);
  assert.equal(state.frame, 0);
  assert.deepEqual([...state.tensor.values], [0, 0, 0, 0]);
  assert.deepEqual(model.sent, []);
  state.actions.showFrame(0, true);
  assert.deepEqual(model.sent, [{ event: 'frame', value: [0] }]);
  // Its play button: the one playback timer the P key toggles.
  state.actions.play();
  assert.equal(state.playing, true);
  state.actions.play();
  assert.equal(state.playing, false);
});

test('whole frames from Python show the frame it names, from them (no maps come)', async () => {
  // Frame 1 shown (all 1); Python's grid.frames = a new history of two frames: frame 1
  // still, of other maps (a cell run again). Python sends the frames alone.
  const model = framesModel('frames-whole', encoded([0, 0, 0, 0, 1, 1, 1, 1], [2, 1, 2, 2], 1,
    { labels: ['a', 'b'], auto: [[0, 1], [0, 1]] }), { frame: 1, frame_limits: 'fixed' });
  await controller.initialize({ model });
  const state = lookup('frames-whole');
  model.set('frames', encoded([2, 2, 2, 2, 3, 3, 3, 3], [2, 1, 2, 2], 2, { labels: ['c', 'd'] }));
  assert.equal(state.frame, 1);
  assert.deepEqual([...state.tensor.values], [3, 3, 3, 3]);
  // A new history with the frame named in the same message, the frame's change seen
  // first (it finds the frames held before): the new history's frame shows.
  model.set({ frame: 0, frames: encoded([5, 5, 5, 5, 6, 6, 6, 6], [2, 1, 2, 2], 3,
    { labels: ['e', 'f'] }) });
  assert.equal(state.frame, 0);
  assert.deepEqual([...state.tensor.values], [5, 5, 5, 5]);
  // No frame named (-1): the maps stay as Python sent them.
  model.set({ frame: -1, frames: encoded([7, 7, 7, 7], [1, 1, 2, 2], 4, { labels: ['g'] }) });
  assert.deepEqual([...state.tensor.values], [5, 5, 5, 5]);
});
