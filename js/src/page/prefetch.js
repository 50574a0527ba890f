// @ts-check
// The widget classes a grid's first display creates, loaded as soon as the package is
// imported in a kernel (Python's live/prefetch.py opens this module's model then). A page
// otherwise fetches and compiles bqplot's, bqscales' and ipywidgets' front-end files
// (about 0.9 MB) only when the first grid's models arrive: in a fresh page that was
// a third of the first display's time. Loading is all this does: no model is created,
// nothing is drawn.

import { loadModelClass, noKernel } from './compat.js';

/** @typedef {[string, string, string]} ModelClass  [model name, module, module version] */

/**
 * Ask the widget manager to load each class (and so its module). A manager that cannot
 * (not ipywidgets 8's) loads nothing; a class that fails to load (its module missing) does
 * not stop the others, and its failure is the manager's to report, as at a display.
 *
 * @param {any} manager
 * @param {ModelClass[]} classes
 * @returns {Promise<number>} how many classes the manager loaded
 */
export async function prefetch(manager, classes) {
  const settled = await Promise.allSettled(
    classes.map(([name, module, version]) => loadModelClass(manager, name, module, version)));
  return settled.filter((result) => result.status === 'fulfilled' && result.value).length;
}

/**
 * anywidget's entry: in a page with a kernel, start loading without holding the model's creation back (the
 * kernel's next messages, maybe the first grid's, are read meanwhile), then tell Python
 * how many classes loaded, which closes the model.
 *
 * @param {{model: import('./compat.js').Model}} args
 */
function initialize({ model }) {
  // An exported page (a notebook's saved state shown offline) carries inline what its
  // grids need, and nothing else: there is nothing to load ahead, and no one to tell.
  if (noKernel(model.widget_manager)) return;
  prefetch(model.widget_manager, model.get('prefetch_classes') || []).then((loaded) => {
    try {
      model.send({ prefetched: loaded });
    } catch {
      // The model closed meanwhile (the kernel restarted): no one to tell.
    }
  });
}

export default { initialize };
