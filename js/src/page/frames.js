// @ts-check
// Frames (frames.py): the page holds the whole history (T, N, H, W) with each frame's
// label and automatic limits, all sent by Python (controller.py's `frames`, then a
// `frames_patch` per record()), so it plays and scrubs them itself, with a kernel or
// without one. With frame_limits "per-frame", a frame's limits are Python's automatic
// limits of that frame (sent with it), under vmin/vmax as Python's grid.limits applies
// them (limits.js's limitsInForce).

import { decode } from './codec.js';
import { autoLimits, finiteRange, limitsInForce } from './limits.js';

/** @typedef {import('./limits.js').Range} Range */
/** @typedef {import('./limits.js').PageLimits} PageLimits */

/**
 * @typedef {object} FrameStack
 * @property {Float32Array | Float64Array} values
 * @property {number[]} shape  [T, N, H, W]
 * @property {number} seq
 * @property {string[]} labels  one per frame
 * @property {(Range | null)[]} auto  each frame's automatic limits (null: not sent)
 */

/**
 * The frames in the model's `frames` (codec form with `labels` and `auto`).
 * @param {any} encoded
 * @returns {FrameStack | null}
 */
export function readFrames(encoded) {
  const tensor = decode(encoded);
  if (!tensor) return null;
  return { ...tensor, labels: (encoded && encoded.labels) || [], auto: (encoded && encoded.auto) || [] };
}

/**
 * The model's `frames` value for a held stack (viewing its array: no copy).
 * @param {FrameStack} frames
 */
export function encodeFrames({ values, shape, seq, labels, auto }) {
  return {
    dtype: values instanceof Float64Array ? 'float64' : 'float32', shape, seq,
    buffer: new DataView(values.buffer, values.byteOffset, values.byteLength),
    labels, auto,
  };
}

/** How many frames a stack holds.
 * @param {FrameStack | null} frames */
export function frameCount(frames) {
  return frames ? frames.shape[0] : 0;
}

/**
 * The frames after a record(): `held` less its `drop` oldest frames, then the frames
 * `added`, with their labels and automatic limits. The maps' shape is the added frames'
 * when nothing is held (a new history after `grid.frames = np.zeros((0, 0, 0, 0))` holds
 * shape [0, 0, 0, 0], whose maps are of no size at all) or the held maps differ.
 * @param {FrameStack} held
 * @param {import('./codec.js').Tensor} added  [k, N, H, W]
 * @param {{drop?: number, labels?: string[], auto?: (Range | null)[]}} patch
 * @returns {FrameStack}
 */
export function appendFrames(held, added, patch) {
  const maps = added.shape.slice(1);
  const size = maps.reduce((a, b) => a * b, 1);
  const same = held.shape[0] > 0 && held.shape.length === added.shape.length
    && held.shape.slice(1).every((n, i) => n === maps[i]);
  const drop = same ? Math.max(0, Math.min(held.shape[0], (patch.drop ?? 0) | 0)) : held.shape[0];
  const kept = same ? held.values.subarray(drop * size) : held.values.subarray(0, 0);
  const Type = same && held.values instanceof Float32Array ? Float32Array
    : same ? Float64Array : added.values instanceof Float64Array ? Float64Array : Float32Array;
  const values = new Type(kept.length + added.values.length);
  values.set(kept);
  values.set(added.values, kept.length);
  const count = kept.length / size + added.shape[0];
  const pad = (/** @type {any[]} */ list, /** @type {number} */ n) => [...list, ...Array(Math.max(0, n - list.length)).fill(null)].slice(0, n);
  const keptCount = count - added.shape[0];
  return {
    values,
    shape: [count, ...maps],
    seq: added.seq,
    labels: [...pad(held.labels.slice(drop), keptCount), ...pad(patch.labels || [], added.shape[0])],
    auto: [...pad(held.auto.slice(drop), keptCount), ...pad(patch.auto || [], added.shape[0])],
  };
}

/**
 * Frame `t`'s maps (a view, no copy).
 * @param {FrameStack} frames
 * @param {number} t
 */
export function frameValues(frames, t) {
  const size = frames.shape[1] * frames.shape[2] * frames.shape[3];
  return frames.values.subarray(t * size, (t + 1) * size);
}

/**
 * Frame `t`'s automatic limits: Python's, sent with it; for a frame sent without them
 * (a page state saved before they were sent), data.auto_limits of its values.
 * @param {FrameStack} frames
 * @param {number} t
 * @returns {Range}
 */
export function frameAuto(frames, t) {
  const sent = frames.auto[t];
  return sent && sent.length === 2 ? [sent[0], sent[1]] : autoLimits(finiteRange(frameValues(frames, t)), null, null);
}

/**
 * The limits in force with frame `t` shown and "per-frame" automatic limits.
 * @param {FrameStack} frames
 * @param {number} t
 * @param {number | null} vmin
 * @param {number | null} vmax
 * @returns {PageLimits}
 */
export function frameLimits(frames, t, vmin, vmax) {
  return limitsInForce(frameAuto(frames, t), vmin, vmax);
}

/**
 * Frame `t`'s label (its index where it has none).
 * @param {FrameStack | null} frames
 * @param {number} t
 */
export function frameLabel(frames, t) {
  return String((frames && frames.labels[t]) ?? t);
}

/**
 * The control panel's frame readout: "label (t + 1 of T)", "none shown (T frames)" when
 * the data is none of them (t < 0: data assigned since a frame was shown), '' without
 * frames. controls.py writes the same.
 * @param {FrameStack | null} frames
 * @param {number} t
 */
export function frameReadout(frames, t) {
  const count = frameCount(frames);
  if (!count) return '';
  return t >= 0 && t < count ? `${frameLabel(frames, t)} (${t + 1} of ${count})`
    : `none shown (${count} frames)`;
}

/** Whether there is anything to play: two frames or more (P, the play buttons).
 * @param {FrameStack | null} frames */
export function playable(frames) {
  return frameCount(frames) > 1;
}

/**
 * @typedef {object} PlayerView  what the compact player (player.js) shows
 * @property {number} max  the scrubber's last position (T - 1)
 * @property {number} value  its position: the frame shown, or the first while none is
 * @property {string} text  the frame readout, also the scrubber's aria-valuetext
 * @property {boolean} playable  two frames or more
 */

/**
 * The compact player: null when it is not shown (no frames, or the controller's
 * `show_player` is False: the grid's show_player is, or its control panel, whose playback
 * row plays them, is shown), else what it shows with frame `t` shown (-1: none).
 * @param {FrameStack | null} frames
 * @param {number} t
 * @param {boolean} show  the controller's show_player
 * @returns {PlayerView | null}
 */
export function playerView(frames, t, show) {
  const count = frameCount(frames);
  if (!show || !count) return null;
  return { max: count - 1, value: t >= 0 && t < count ? t : 0, text: frameReadout(frames, t),
           playable: playable(frames) };
}

/**
 * The frames with every frame's labels replaced (Python's `frame_labels` assigned): a
 * `frames_patch` with `relabel` and no maps. The maps and limits stay as they are.
 * @param {FrameStack} held
 * @param {{labels?: string[], seq?: number}} patch
 * @returns {FrameStack}
 */
export function relabelFrames(held, patch) {
  const labels = (patch.labels || []).slice(0, held.shape[0]).map(String);
  while (labels.length < held.shape[0]) labels.push(String(labels.length));
  return { ...held, labels, seq: (patch.seq ?? held.seq + 1) | 0 };
}
