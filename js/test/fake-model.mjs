// A stand-in for an anywidget model (get, set, on, send) and the codec's form of a stack,
// to drive the controller in node without a browser.

/** {dtype, shape, seq, buffer} of float32 values, as Python's codec.encode sends them. */
export function encoded(values, shape, seq, extra = {}) {
  const array = Float32Array.from(values);
  return { dtype: 'float32', shape, seq, buffer: new DataView(array.buffer), ...extra };
}

export function fakeModel(attrs) {
  const handlers = new Map();
  const sent = [];
  const fire = (event) => (handlers.get(event) || []).forEach((fn) => fn());
  return {
    attrs,
    sent,
    // An exported page's manager: no kernel, no other models.
    widget_manager: { noKernel: true, get_model: async () => { throw new Error('no such model'); } },
    get: (name) => attrs[name],
    set(name, value, options) {
      if (typeof name === 'object') { // set({a: 1, b: 2}, options), as Backbone takes it
        for (const [key, v] of Object.entries(name)) this.set(key, v, value);
        return;
      }
      attrs[name] = value;
      if (!(options && options.silent)) fire(`change:${name}`);
    },
    on(events, fn) {
      for (const event of events.split(' ')) handlers.set(event, [...(handlers.get(event) || []), fn]);
    },
    send: (content) => sent.push(content),
  };
}

// The controller draws at the next animation frame when messages come in a burst.
globalThis.requestAnimationFrame ??= (fn) => setTimeout(fn, 0);
globalThis.cancelAnimationFrame ??= (id) => clearTimeout(id);
