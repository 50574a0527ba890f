// PanelFeed (anywidget, a model with no view): new values for a DigitHeatmapGrid's SVG
// panels in one message.
//
// Each panel is a bqplot GridHeatMap; bqplot would send each one's `color` in a message
// of its own (ten messages for ten maps). Python sends the whole (N, H, W) tensor here as
// one buffer with the indices of the panels that changed, and this sets those panels'
// `color` on their bqplot models in the page, in the form bqplot's deserializer gives
// (a list of row arrays), so bqplot redraws them exactly as if the values had come the
// usual way. Python already holds the same values on its marks: nothing is sent back.

const MODEL_REF = 'IPY_MODEL_';

/** What one message asked for, read at once: a later message may change the model. */
function snapshot(model, panels) {
  const raw = model.get('values'); // a DataView on the message's binary buffer
  const shape = model.get('shape') || [];
  if (!raw || !raw.byteLength || shape.length !== 3) return null;
  const Type = model.get('dtype') === 'float64' ? Float64Array : Float32Array;
  // A copy: the view may start at an offset the typed array cannot be aligned to.
  const values = new Type(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const [count, rows, cols] = shape;
  if (values.length !== count * rows * cols) return null;
  return { values, count, rows, cols, refs: model.get('marks') || [], panels };
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
      const { values, count, rows, cols } = update;
      for (const index of update.panels) {
        const mark = marks[index];
        if (!mark || index >= count) continue;
        const start = index * rows * cols;
        const color = [];
        for (let row = 0; row < rows; row++) {
          color.push(values.slice(start + row * cols, start + (row + 1) * cols));
        }
        mark.set('color', color);
        // ipywidgets keeps a running diff of set() calls and sends it with the mark's next
        // save_changes(); these values came from Python and must not be echoed back.
        if (mark._buffered_state_diff) delete mark._buffered_state_diff.color;
      }
    }

    function schedule(update) {
      if (!update) return;
      chain = chain.then(() => apply(update)).catch((error) => {
        console.error('[digitheat-widget] could not apply new panel values:', error);
      });
    }

    model.on('change:values', () => schedule(snapshot(model, model.get('changed') || [])));
    // Values that arrived before this module was loaded: apply them all now.
    const early = snapshot(model, []);
    if (early) schedule({ ...early, panels: [...Array(early.count).keys()] });
  },
};
