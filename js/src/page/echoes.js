// @ts-check
// What the page sent Python, until Python's answers come back. A control the page moves
// (the limit sliders) applies each value at once and sends it; Python answers each one it
// reads with its state, through another trait (the controller's `limits`). Answers to
// values the page has since moved past arrive while it moves on: applied, they pulled the
// slider and the colours back for a moment (seen with the keyboard's arrows). An answer
// naming a value the page sent before its latest is such a one, and is skipped; the
// answer to the latest, or any value the page never sent (Python's own change, or a
// refusal), stands.

/** After this long an unanswered value is forgotten (a page without a kernel, a lost
 *  message): an answer naming it then stands. */
export const ECHO_MS = 3000;

/** At most this many values are remembered (the oldest go first). */
const KEPT = 64;

export class Echoes {
  /** @param {() => number} [now] */
  constructor(now = () => performance.now()) {
    this.now = now;
    /** @type {{key: string, at: number}[]} */
    this.sent = [];
  }

  /** The page applied `value` and sent it to Python. @param {unknown} value */
  send(value) {
    this.sent.push({ key: JSON.stringify(value), at: this.now() });
    if (this.sent.length > KEPT) this.sent.splice(0, this.sent.length - KEPT);
  }

  /** Python answered with `value`: whether it is an answer to a value the page has
   *  moved past (the page keeps what it shows). @param {unknown} value */
  stale(value) {
    const since = this.now() - ECHO_MS;
    while (this.sent.length && this.sent[0].at < since) this.sent.shift();
    const key = JSON.stringify(value);
    const i = this.sent.findIndex((entry) => entry.key === key);
    if (i < 0 || i === this.sent.length - 1) {
      this.sent = []; // Python's own value, or the answer to the latest: it stands
      return false;
    }
    this.sent.splice(0, i + 1); // that one and the values before it are answered
    return true;
  }
}
