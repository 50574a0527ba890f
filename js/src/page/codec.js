// @ts-check
// The one road of a tensor: twin of digitheat_widget/live/codec.py,
// {dtype, shape, seq, buffer[, indices]} with the values little-endian float32 or
// float64 in one binary buffer (a DataView in the page, as ipywidgets gives it).

/**
 * @typedef {object} Encoded  what Python's codec.encode sends
 * @property {string} dtype  'float32' or 'float64'
 * @property {number[]} shape
 * @property {number} [seq]
 * @property {DataView} buffer
 * @property {number[]} [indices]  a patch: which maps these are
 */

/**
 * @typedef {object} Tensor  a decoded stack the page holds
 * @property {Float32Array | Float64Array} values
 * @property {number[]} shape
 * @property {number} seq
 */

/**
 * The values of an encoded stack (an aligned copy), or null when it is not one.
 * @param {Partial<Encoded> | null | undefined} encoded
 * @returns {Tensor | null}
 */
export function decode(encoded) {
  if (!encoded || !encoded.buffer || !encoded.shape) return null;
  const raw = encoded.buffer;
  const Type = encoded.dtype === 'float64' ? Float64Array : Float32Array;
  const bytes = /** @type {ArrayBuffer} */ (raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)); // aligned copy
  const values = new Type(bytes);
  const size = encoded.shape.reduce((a, b) => a * b, 1);
  return values.length === size ? { values, shape: encoded.shape, seq: (encoded.seq ?? 0) | 0 } : null;
}

/**
 * A held stack back in the codec's form (viewing its array: no copy), for the model's
 * own state, so a saved or exported page holds what is shown.
 * @param {Tensor} tensor
 * @returns {Encoded}
 */
export function encode({ values, shape, seq }) {
  return {
    dtype: values instanceof Float64Array ? 'float64' : 'float32', shape, seq,
    buffer: new DataView(values.buffer, values.byteOffset, values.byteLength),
  };
}

/** Whether a patch (sequence `seq`, and `base` when it carries every map changed since
 *  the whole stack of that sequence) can be applied to a stack held at sequence `held`.
 *  @param {{base?: number}} patch @param {number} seq @param {number} held */
export function patchFollows(patch, seq, held) {
  return seq === held + 1 || (patch.base !== undefined && patch.base === held && seq > held);
}
