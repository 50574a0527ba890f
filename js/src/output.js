// ipywidgets' Output widget (`@jupyter-widgets/output`) for pages with no kernel: it shows
// the outputs saved in its state (what `out.capture()` or `with out:` printed and
// displayed while the notebook ran), so a notebook that reads clicks into an Output area
// shows its saved text offline instead of an error box. JupyterLab's own view needs
// rendermime and a kernel; this one renders the saved outputs itself:
// * streams and text/plain as text, errors as their name and value (always text: saved
//   text never becomes markup, as everything this runtime shows of a user's text);
// * PNG, JPEG, GIF and SVG images as <img> (an SVG in an <img> runs no script);
// * a widget displayed into the area as that widget's view.
// text/html and other types fall back to their text/plain.

import { DOMWidgetModel, DOMWidgetView, JupyterLuminoPanelWidget } from '@jupyter-widgets/base';
import { Widget } from '@lumino/widgets';

const MODULE = '@jupyter-widgets/output';
const VERSION = '1.0.0';
const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';
const IMAGES = ['image/png', 'image/jpeg', 'image/gif'];

export class OutputModel extends DOMWidgetModel {
  defaults() {
    return {
      ...super.defaults(),
      _model_name: 'OutputModel', _model_module: MODULE, _model_module_version: VERSION,
      _view_name: 'OutputView', _view_module: MODULE, _view_module_version: VERSION,
      msg_id: '', outputs: [],
    };
  }
}

/** A saved text field: a string, or the list of lines nbformat allows.
 * @param {unknown} text */
function joined(text) {
  return Array.isArray(text) ? text.join('') : String(text ?? '');
}

/** @param {string} text @param {string} className */
function textWidget(text, className) {
  const pre = document.createElement('pre');
  pre.className = className;
  pre.textContent = text;
  return new Widget({ node: pre });
}

export class OutputView extends DOMWidgetView {
  /** @param {string} tagName */
  _createElement(tagName) {
    this.luminoWidget = new JupyterLuminoPanelWidget({ view: this });
    return this.luminoWidget.node;
  }

  /** @param {HTMLElement} el */
  _setElement(el) {
    if (this.el || el !== this.luminoWidget.node) throw new Error('Cannot reset the DOM element.');
    this.el = this.luminoWidget.node;
  }

  render() {
    this.luminoWidget.addClass('jupyter-widgets');
    this.luminoWidget.addClass('widget-output');
    this.listenTo(this.model, 'change:outputs', this.update);
    this.update();
  }

  update() {
    for (const child of [...this.luminoWidget.widgets]) child.dispose();
    for (const output of this.model.get('outputs') || []) this.addOutput(output);
  }

  /** @param {any} output  one nbformat output */
  addOutput(output) {
    const panel = this.luminoWidget;
    const type = output.output_type;
    if (type === 'stream') {
      panel.addWidget(textWidget(joined(output.text), `dhg-output-stream dhg-output-${output.name || 'stdout'}`));
      return;
    }
    if (type === 'error') {
      panel.addWidget(textWidget(`${output.ename}: ${output.evalue}`, 'dhg-output-error'));
      return;
    }
    const data = output.data || {};
    if (data[WIDGET_VIEW]) {
      this.addWidgetView(data[WIDGET_VIEW].model_id);
      return;
    }
    const image = IMAGES.find((mime) => data[mime]);
    if (image || data['image/svg+xml']) {
      const img = document.createElement('img');
      img.src = image ? `data:${image};base64,${joined(data[image]).replace(/\s/g, '')}`
        : `data:image/svg+xml;charset=utf-8,${encodeURIComponent(joined(data['image/svg+xml']))}`;
      img.alt = data['text/plain'] ? joined(data['text/plain']) : '';
      panel.addWidget(new Widget({ node: img }));
      return;
    }
    if (data['text/plain'] !== undefined) panel.addWidget(textWidget(joined(data['text/plain']), 'dhg-output-text'));
  }

  /** A widget displayed into the area, in its place among the outputs.
   * @param {string} modelId */
  addWidgetView(modelId) {
    const panel = this.luminoWidget;
    const placeholder = new Widget();
    panel.addWidget(placeholder);
    this.model.widget_manager.get_model(modelId)
      .then((model) => this.create_child_view(model))
      .then((view) => {
        const index = panel.widgets.indexOf(placeholder);
        if (index < 0) return; // the outputs changed meanwhile
        panel.insertWidget(index, view.luminoWidget);
        placeholder.dispose();
      })
      .catch((error) => {
        placeholder.node.textContent = `(a widget that cannot be shown here: ${error.message})`;
      });
  }
}
