// Slim offline runtime for pages written by digitheat_widget.embed.grid_to_html.
//
// It renders widget state stored in the page, with no kernel and no network:
// * a widget manager built on @jupyter-widgets/base-manager (no rendermime, no React);
// * @jupyter-widgets/base, and the few @jupyter-widgets/controls models a grid uses;
// * a small AMD `define` so the front-end files shipped in the bqplot and bqscales
//   wheels (`define(["@jupyter-widgets/base"], factory)`) register against the
//   very same base module as the manager. The page gives each of those files its
//   module name: <script data-amd-module="bqplot">...</script>.
//
// The page must place this script, then the AMD scripts, at the end of <body>
// (bqplot touches document.body when it loads). Rendering starts at DOMContentLoaded,
// when every inline script has run.

import * as base from '@jupyter-widgets/base';
import { ManagerBase } from '@jupyter-widgets/base-manager';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { SHARED } from './shared.js';

const STATE_TYPE = 'application/vnd.jupyter.widget-state+json';
const VIEW_TYPE = 'application/vnd.jupyter.widget-view+json';

// ------------------------------------------------------------------ AMD modules

/** Modules ready to use, by name. */
const modules = new Map(Object.entries(SHARED));
/** The AMD modules with the controls that are not in this runtime (controls-extra.js,
 *  controls-more.js; names set by build.mjs); a page has one only when its state needs
 *  one of its classes. */
const CONTROLS_PARTS = DIGITHEAT_CONTROLS_PARTS;
/** AMD definitions not evaluated yet: name -> {deps, factory}. */
const definitions = new Map();
const evaluating = new Set();

/**
 * AMD `define([name,] [deps,] factory)`. An anonymous module takes its name from the
 * `data-amd-module` attribute of the <script> that is running.
 */
function define(...args) {
  let name = typeof args[0] === 'string' ? args.shift() : undefined;
  const deps = Array.isArray(args[0]) ? args.shift() : [];
  const factory = args[0];
  if (name === undefined) {
    const script = document.currentScript;
    name = script ? script.getAttribute('data-amd-module') : null;
  }
  if (!name) {
    throw new Error('digitheat embed: anonymous define() outside a <script data-amd-module="..."> tag');
  }
  if (modules.has(name) || definitions.has(name)) {
    throw new Error(`digitheat embed: module "${name}" is defined twice`);
  }
  definitions.set(name, { deps, factory });
}
define.amd = {};

/** The exports of module `name`, evaluating its AMD factory on first use. */
function requireModule(name) {
  if (modules.has(name)) {
    return modules.get(name);
  }
  const definition = definitions.get(name);
  if (!definition) {
    const known = [...modules.keys(), ...definitions.keys()].join(', ');
    throw new Error(`digitheat embed: module "${name}" is not in this page (it has: ${known})`);
  }
  if (evaluating.has(name)) {
    throw new Error(`digitheat embed: circular AMD dependency through "${name}"`);
  }
  evaluating.add(name);
  try {
    const module = { exports: {} };
    const args = definition.deps.map((dep) => {
      if (dep === 'exports') return module.exports;
      if (dep === 'module') return module;
      if (dep === 'require') return requireModule;
      return requireModule(dep);
    });
    const { factory } = definition;
    performance.mark(`digitheat:define ${name}`);
    const result = typeof factory === 'function' ? factory(...args) : factory;
    performance.mark(`digitheat:defined ${name}`);
    const value = result === undefined ? module.exports : result;
    modules.set(name, value);
    definitions.delete(name);
    return value;
  } finally {
    evaluating.delete(name);
  }
}

// ------------------------------------------------------------------ widget manager

/** Major version of a semver range such as "2.0.0", "^0.6.1" or "~0.3". */
function major(range) {
  const match = /(\d+)/.exec(String(range));
  return match ? Number(match[1]) : NaN;
}

/** Widget state versions this runtime implements (ipywidgets 8). */
const SPEC_MAJOR = {
  '@jupyter-widgets/base': major(base.JUPYTER_WIDGETS_VERSION),
  '@jupyter-widgets/controls': 2,
};

/** A widget manager for a page with no kernel: models come from state in the page. */
export class EmbedManager extends ManagerBase {
  constructor() {
    super();
    this.views = new Set();
  }

  async display_view(view, el) {
    const v = await view;
    Widget.attach(v.luminoWidget, el);
    this.views.add(v);
    v.once('remove', () => this.views.delete(v));
    return v;
  }

  async loadClass(className, moduleName, moduleVersion) {
    const wanted = SPEC_MAJOR[moduleName];
    if (wanted !== undefined && major(moduleVersion) !== wanted) {
      throw new Error(
        `${moduleName}@${moduleVersion} state is not supported: this page's runtime ` +
          `implements version ${wanted}.x (ipywidgets 8)`
      );
    }
    let cls = requireModule(moduleName)[className];
    if (moduleName === '@jupyter-widgets/controls') {
      for (const part of CONTROLS_PARTS) {
        if (!cls && (definitions.has(part) || modules.has(part))) {
          cls = requireModule(part)[className];
        }
      }
    }
    if (!cls) {
      throw new Error(`class ${className} not found in module ${moduleName}@${moduleVersion}`);
    }
    return cls;
  }

  _get_comm_info() {
    return Promise.resolve({});
  }

  /**
   * Models created in the page (bqplot's toolbar makes a PanZoom model, for instance)
   * get a comm that goes nowhere, as in @jupyter-widgets/html-manager: there is no
   * kernel, and what needs none keeps working.
   */
  _create_comm(target_name, model_id) {
    return Promise.resolve(new NoKernelComm(target_name, model_id || base.uuid()));
  }
}

/** A comm with no kernel behind it: sends are dropped, nothing ever arrives. */
class NoKernelComm {
  constructor(target_name, comm_id) {
    this.target_name = target_name;
    this.comm_id = comm_id;
  }
  open() {
    return this.comm_id;
  }
  send() {
    return this.comm_id;
  }
  close() {
    return this.comm_id;
  }
  on_msg() {}
  on_close() {}
}

// ------------------------------------------------------------------ rendering

function showError(before, error) {
  console.error('digitheat embed:', error);
  const box = document.createElement('div');
  box.className = 'digitheat-embed-error';
  box.textContent = `This widget could not be shown: ${error && error.message ? error.message : error}`;
  before.parentElement.insertBefore(box, before);
}

/** Render every widget view stored in `root`; resolves when all are displayed. */
export async function renderWidgets(root = document) {
  const managers = [];
  const viewTags = Array.from(root.querySelectorAll(`script[type="${VIEW_TYPE}"]`));
  for (const stateTag of root.querySelectorAll(`script[type="${STATE_TYPE}"]`)) {
    const manager = new EmbedManager();
    managers.push(manager);
    let models;
    try {
      models = await manager.set_state(JSON.parse(stateTag.textContent));
      performance.mark('digitheat:models');
    } catch (error) {
      showError(stateTag, error);
      continue;
    }
    const byId = new Map(models.map((model) => [model.model_id, model]));
    await Promise.all(
      viewTags.map(async (tag) => {
        let spec;
        try {
          spec = JSON.parse(tag.textContent);
        } catch (error) {
          showError(tag, error);
          return;
        }
        const model = byId.get(spec.model_id);
        if (!model || !tag.parentElement) {
          return;
        }
        const host = document.createElement('div');
        host.className = 'widget-subarea';
        tag.parentElement.insertBefore(host, tag);
        try {
          await manager.display_view(manager.create_view(model), host);
        } catch (error) {
          showError(tag, error);
        }
      })
    );
  }
  window.addEventListener('resize', () => {
    for (const manager of managers) {
      for (const view of manager.views) {
        MessageLoop.postMessage(view.luminoWidget, Widget.ResizeMessage.UnknownSize);
      }
    }
  });
  return managers;
}

let resolveReady;
const ready = new Promise((resolve) => {
  resolveReady = resolve;
});

function start() {
  performance.mark('digitheat:start');
  renderWidgets(document).then((managers) => {
    performance.mark('digitheat:displayed');
    document.documentElement.setAttribute('data-digitheat-embed', 'ready');
    resolveReady(managers);
  });
}

window.define = define;
/** For pages and tests: `ready` resolves (with the managers) once every view is displayed. */
window.digitheatEmbed = { define, require: requireModule, renderWidgets, EmbedManager, ready };
if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start, { once: true });
} else {
  setTimeout(start, 0);
}
