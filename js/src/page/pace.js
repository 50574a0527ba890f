// @ts-check
// One new picture per animation frame for the states Python sends. Python merges its
// sends to one per 1/60 s, but they reach the page unevenly: about one frame in five got
// two messages and showed only the second, and the next frame showed nothing new (at
// 10x7x6, 50 of 60 sends a second were seen). Here a state that changes the maps shown
// waits while the last such state has not been painted yet, and is applied in the next
// frame; a state that would be shown later than two frames after it came is applied
// with the one before it (that one is never painted), so the page shows Python's last
// values at most two frames after they arrive. Every other state keeps its place in the line: a limit or a colormap Python set
// after a patch is never applied before that patch. A page nobody sees (a hidden tab
// draws no frames) applies everything at once.

/** A state is shown at most this many frames after it came. */
export const MAX_LAG_FRAMES = 2;

/** A frame's callback, or a timer's where a page draws no frames (a hidden tab). */
export const FRAME_FALLBACK_MS = 250;

/** Runs `callback` once, in the next animation frame, or after FRAME_FALLBACK_MS where
 *  no frame comes. @param {() => void} callback @returns {() => void} cancels it */
export function nextFrame(callback) {
  let done = false;
  const cancel = () => {
    done = true;
    if (typeof cancelAnimationFrame === 'function') cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
  const run = () => {
    if (done) return;
    cancel();
    callback();
  };
  const frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(run) : 0;
  const timer = setTimeout(run, FRAME_FALLBACK_MS);
  return cancel;
}

/**
 * @template S
 * @typedef {object} PacerOptions
 * @property {(state: S) => void} apply puts a state into the page (ipywidgets' set_state)
 * @property {(state: S) => boolean} takesFrame whether a state changes the maps shown
 * @property {() => void} draw draws what the states applied changed, now
 * @property {(callback: () => void) => void} [frame] runs a callback in the next frame
 * @property {() => boolean} [hidden] whether nobody sees the page's frames
 */

/**
 * @template S
 * @param {PacerOptions<S>} options
 * @returns {{offer(state: S): void, waiting(): number}}
 */
export function pacer({
  apply, takesFrame, draw, frame = nextFrame,
  hidden = () => typeof document !== 'undefined' && document.hidden,
}) {
  /** @type {{state: S, at: number}[]} states waiting, with the frame count they came at */
  const queue = [];
  let frames = 0; // the frames this pacer has seen
  // A state that takes a frame was applied, and the frame that paints it has not passed.
  let holding = false;

  /** Whether, if each state waiting that takes a frame had a frame of its own from the
   *  next one on, some state would be shown later than two frames after it came. */
  function late() {
    let position = 0;
    for (const { state, at } of queue) {
      if (takesFrame(state) && frames + ++position > at + MAX_LAG_FRAMES) return true;
    }
    return false;
  }

  /** Apply what waits, in order: the first state that takes a frame, and as many after it
   *  as keep the others in time. @param {boolean} all @returns {boolean} whether one was */
  function release(all) {
    let shown = false;
    while (queue.length) {
      const { state } = queue[0];
      const frameTaker = takesFrame(state);
      if (frameTaker && shown && !all && !late()) break;
      queue.shift();
      apply(state);
      if (frameTaker) shown = true;
    }
    return shown;
  }

  // Called in the frame after the one that painted the last state shown: this frame
  // shows the next one, drawn now so that it is painted in this frame.
  function step() {
    frames++;
    holding = false;
    if (release(hidden())) {
      draw();
      holding = true;
      frame(step);
    }
  }

  return {
    offer(state) {
      if (hidden()) {
        queue.push({ state, at: frames });
        release(true);
        return;
      }
      if (holding || queue.length) {
        queue.push({ state, at: frames });
        return;
      }
      apply(state);
      if (takesFrame(state)) {
        draw();
        holding = true;
        // Drawn outside a frame: painted in the next frame, whose callbacks run before
        // its paint; the state after it waits one more frame.
        frame(() => { frames++; frame(step); });
      }
    },
    waiting: () => queue.length,
  };
}
