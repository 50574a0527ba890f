// PanelFeed (anywidget, a model with no view): new values for a DigitHeatmapGrid's SVG
// panels in one message.
//
// Each panel is a bqplot GridHeatMap; bqplot would send each one's `color` in a message
// of its own (ten messages for ten maps). Python sends the changed maps here as one
// buffer with their indices, and this sets those panels' `color` on their bqplot models
// in the page, in the form bqplot's deserializer gives (a list of row arrays), so bqplot
// redraws them exactly as if the values had come the usual way. Python already holds the
// same values on its marks: nothing is sent back but a request to resync (see below).

const MODEL_REF = 'IPY_MODEL_';

/** What one message asked for, read at once: a later message may change the model. */
function snapshot(model) {
  const frame = model.get('frame') || {};
  const raw = frame.values; // a DataView on the message's binary buffer
  const shape = frame.shape || [];
  const changed = frame.changed || [];
  if (!raw || !raw.byteLength || shape.length !== 3 || shape[0] !== changed.length) return null;
  const Type = frame.dtype === 'float64' ? Float64Array : Float32Array;
  // A copy: the view may start at an offset the typed array cannot be aligned to.
  const values = new Type(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const [, rows, cols] = shape;
  if (values.length !== changed.length * rows * cols) return null;
  return { values, rows, cols, changed, refs: model.get('marks') || [] };
}

export default {
  initialize({ model }) {
    let resolvedRefs = null; // the `marks` list that `marks` was resolved from
    let marks = [];
    // Messages are applied one after another, in the order they came.
    let chain = Promise.resolve();

    async function apply(update) {
      if (update.refs !== resolvedRefs) {
        marks = await Promise.all(
          update.refs.map((ref) => model.widget_manager.get_model(ref.slice(MODEL_REF.length)))
        );
        resolvedRefs = update.refs;
      }
      const { values, rows, cols } = update;
      update.changed.forEach((index, j) => {
        const mark = marks[index];
        if (!mark) return; // the map is gone (fewer maps now)
        const start = j * rows * cols;
        const color = [];
        for (let row = 0; row < rows; row++) {
          color.push(values.slice(start + row * cols, start + (row + 1) * cols));
        }
        mark.set('color', color);
        // ipywidgets keeps a running diff of set() calls and sends it with the mark's next
        // save_changes(); these values came from Python and must not be echoed back.
        if (mark._buffered_state_diff) delete mark._buffered_state_diff.color;
      });
    }

    function schedule(update) {
      if (!update) return;
      chain = chain.then(() => apply(update)).catch((error) => {
        console.error('[digitheat-widget] could not apply new panel values:', error);
      });
    }

    model.on('change:frame', () => schedule(snapshot(model)));
    // Updates were sent before this module ran, and earlier ones than the last may have
    // been missed: ask Python for every map. (A page restoring saved state has no kernel
    // to answer, and needs none: its marks were saved with their values.)
    if (snapshot(model)) model.send({ event: 'resync' });
  },
};
