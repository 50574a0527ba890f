// @ts-check
// Number formats and the text of a value: twins of digitheat_widget/figure/ticks.py
// (tick_step, tick_format, value_format, number_text, value_text). The page needs them
// for limits a person sets in the page (an exported page has no kernel to ask), and for
// every value it writes in words (hover, keyboard readout, table, summary). Python's
// answers for many inputs are js/test/golden.json; js/test/format.test.mjs reproduces
// them. This module imports nothing, so a test can load it alone.

/** Smallest widening of a degenerate range (ticks.py's MIN_SPAN). */
export const MIN_SPAN = 1e-300;
/** Narrowest range relative to its magnitude (ticks.py's MIN_RELATIVE_SPAN). */
export const MIN_RELATIVE_SPAN = 2 ** -40;

/** The narrowest usable colour range at [lo, hi]: its ticks stay distinct. */
export function minSpan(/** @type {number} */ lo, /** @type {number} */ hi) {
  return Math.max(MIN_SPAN, MIN_RELATIVE_SPAN * Math.max(Math.abs(lo), Math.abs(hi)));
}

/**
 * The tick step d3's `scale.ticks(count)` chooses for [lo, hi] (1, 2 or 5 x 10^k).
 * @param {number} lo
 * @param {number} hi
 * @param {number} [count]
 */
export function tickStep(lo, hi, count = 10) {
  const raw = Math.max((hi - lo) / count, MIN_SPAN / count);
  const power = Math.floor(Math.log10(raw));
  const error = raw / 10 ** power;
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  return factor * 10 ** power;
}

/**
 * A d3-format string with just enough decimals that no two ticks look alike.
 * @param {number} lo
 * @param {number} hi
 * @param {number} [count]
 * @returns {string}
 */
export function tickFormat(lo, hi, count = 10) {
  const step = tickStep(lo, hi, count);
  const largest = Math.max(Math.abs(lo), Math.abs(hi));
  if (largest >= 1e6 || step < 1e-6) {
    const digits = Math.max(0, Math.floor(Math.log10(largest)) - Math.floor(Math.log10(step) + 1e-9));
    return `.${digits}e`;
  }
  return `,.${Math.max(0, -Math.floor(Math.log10(step) + 1e-9))}f`;
}

/**
 * Hover values: the colorbar's format with one more decimal and no thousands separator.
 * @param {string} tickFmt
 * @returns {string}
 */
export function valueFormat(tickFmt) {
  const fmt = tickFmt.replace(',', '');
  return `.${parseInt(fmt.slice(1, -1), 10) + 1}${fmt.slice(-1)}`;
}

/** Digits past the ones asked for that show whether a value lies exactly half way
 *  (see `halfEven`): a double at least half a unit of the last digit cannot lie closer
 *  than 1e-(2d + 18) to a half way point without being on it. */
const TIE_DIGITS = 40;

/**
 * JavaScript rounds a value exactly half way between two outputs away from zero
 * (`toFixed`, `toExponential`); Python rounds it to the even one. `exact` is the value
 * written with TIE_DIGITS more digits, `rounded` as JavaScript rounds it: on a half way
 * value, the truncated digits when their last digit is even.
 * @param {string} rounded
 * @param {string} exact
 * @param {number} digits
 */
function halfEven(rounded, exact, digits) {
  const [mantissa, exponent] = exact.split('e');
  if (!mantissa.endsWith(`5${'0'.repeat(TIE_DIGITS - 1)}`)) return rounded;
  let truncated = mantissa.slice(0, mantissa.length - TIE_DIGITS);
  if (digits === 0) truncated = truncated.slice(0, -1); // the '.'
  if (+truncated.slice(-1) % 2) return rounded;
  return exponent === undefined ? truncated : `${truncated}e${exponent}`;
}

/** `value.toFixed(digits)` with Python's digits: exact integers past 1e21 (where
 *  toFixed switches to an exponent) and ties to even.
 * @param {number} value
 * @param {number} digits */
function fixed(value, digits) {
  if (Math.abs(value) >= 1e21) {
    return BigInt(value).toString() + (digits ? `.${'0'.repeat(digits)}` : '');
  }
  const rounded = value.toFixed(digits);
  return digits + TIE_DIGITS <= 100 ? halfEven(rounded, value.toFixed(digits + TIE_DIGITS), digits) : rounded;
}

/** `value.toExponential(digits)` with Python's ties to even.
 * @param {number} value
 * @param {number} digits */
function exponential(value, digits) {
  const rounded = value.toExponential(digits);
  return digits + TIE_DIGITS <= 100
    ? halfEven(rounded, value.toExponential(digits + TIE_DIGITS), digits) : rounded;
}

/** Thousands separators in the integer part of a written number.
 * @param {string} text */
function grouped(text) {
  const [whole, ...rest] = text.split(/(?=[.e])/);
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = sign ? whole.slice(1) : whole;
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + rest.join('');
}

/**
 * `value` written with the d3-format `format` (',.3f', '.2e') as ticks.py's number_text
 * writes it: Python's correctly rounded digits, an exponent without zero padding, and
 * no '-0'. Another format: the value as JavaScript writes it.
 * @param {number} value
 * @param {string} format
 * @returns {string}
 */
export function numberText(value, format) {
  const m = /^(,?)\.(\d+)([fe])$/.exec(format || '');
  if (!m || !Number.isFinite(value)) return String(value);
  const digits = +m[2];
  const v = value === 0 ? 0 : value;
  const text = m[3] === 'f' ? fixed(v, digits) : exponential(v, digits);
  return m[1] ? grouped(text) : text;
}

/**
 * A value as the grid says it in words (hover, keyboard readout, table, summary): its
 * number text, or 'NaN', 'inf', '-inf' (ticks.py's value_text).
 * @param {number} value
 * @param {string} format
 * @returns {string}
 */
export function valueText(value, format) {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return numberText(value, format);
}
