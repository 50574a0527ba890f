// Slim offline runtime for pages written by digitheat_widget.embed.grid_to_html.
//
// It renders widget state stored in the page, with no kernel and no network:
// * a widget manager built on @jupyter-widgets/base-manager (no rendermime, no React);
// * @jupyter-widgets/base, and the few @jupyter-widgets/controls models a grid uses;
// * a small AMD `define` so the front-end files shipped in the bqplot and bqscales
//   wheels (`define(["@jupyter-widgets/base"], factory)`) register against the
//   very same base module as the manager. The page gives each of those files its
//   module name: <script type="text/x-digitheat-amd" data-amd-module="bqplot">.
//
// The page places this script, then the AMD scripts, at the end of <body> (bqplot
// touches document.body when it loads), all inert: the parser neither compiles nor runs
// them, so the page's first frame paints its static pictures with no JavaScript in the
// way. A small bootstrap script runs this one after that frame; an AMD module's text
// is run when a model first needs it.
//
// A view may come with a static picture of itself (<div class="digitheat-static"> before
// its view tag, drawn in Python): the live view is built hidden in the same place and
// replaces the picture once it has drawn what the picture's data-live-when names.

import * as base from '@jupyter-widgets/base';
import { ManagerBase } from '@jupyter-widgets/base-manager';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { INITIALIZED } from './page/registry.js';
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
/** The type of the page's inert AMD scripts (see loadInert). */
const INERT_AMD_TYPE = 'text/x-digitheat-amd';

/**
 * Run the inert <script type="text/x-digitheat-amd" data-amd-module="name"> of the page,
 * if there is one: its define() then registers the module. Inline scripts inserted by
 * script run synchronously on insertion, with document.currentScript set, so an
 * anonymous define() takes its name from the attribute as in a parser-run script.
 */
function loadInert(name) {
  const tag = Array.from(document.querySelectorAll(`script[type="${INERT_AMD_TYPE}"]`)).find(
    (t) => t.getAttribute('data-amd-module') === name
  );
  if (!tag) {
    return;
  }
  const script = document.createElement('script');
  script.setAttribute('data-amd-module', name);
  script.text = tag.textContent;
  // A script that throws reports to window's error event (synchronously), not here.
  let failure = null;
  const onError = (event) => {
    failure = event.error || new Error(event.message);
  };
  window.addEventListener('error', onError);
  try {
    tag.replaceWith(script);
  } finally {
    window.removeEventListener('error', onError);
  }
  if (failure) {
    throw failure;
  }
  if (!definitions.has(name) && !modules.has(name)) {
    throw new Error(`digitheat embed: the script of module "${name}" did not define it`);
  }
}

/** Is module `name` in this page (defined, evaluated, or still inert)? */
function hasModule(name) {
  return (
    modules.has(name) ||
    definitions.has(name) ||
    Array.from(document.querySelectorAll(`script[type="${INERT_AMD_TYPE}"]`)).some(
      (t) => t.getAttribute('data-amd-module') === name
    )
  );
}

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
  if (!definitions.has(name)) {
    loadInert(name);
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
  '@jupyter-widgets/output': 1,
};

/** A widget manager for a page with no kernel: models come from state in the page. */
export class EmbedManager extends ManagerBase {
  constructor() {
    super();
    this.views = new Set();
    /** Classes that failed to load, as {error, module}: ManagerBase shows an error
     *  widget in their place, and the views whose models use that module keep their
     *  pictures (see displayInPlace). */
    this.errors = [];
    this.errorListeners = new Set();
    /** No kernel answers this page's messages (the grid's controller reads it: a paged
     *  grid does not offer pages Python would have to read). */
    this.noKernel = true;
  }

  _classError(error, module) {
    const failure = { error, module };
    this.errors.push(failure);
    this.errorListeners.forEach((listener) => listener(failure));
  }

  // As ManagerBase's, which show an error widget in place of a class that fails to
  // load, and also tell this page's pictures (see displayInPlace).
  async loadModelClass(className, moduleName, moduleVersion) {
    try {
      return await this.loadClass(className, moduleName, moduleVersion);
    } catch (error) {
      console.error(error);
      this._classError(error, moduleName);
      return base.createErrorWidgetModel(
        error, `Failed to load model class '${className}' from module '${moduleName}'`);
    }
  }

  async loadViewClass(className, moduleName, moduleVersion) {
    try {
      return await this.loadClass(className, moduleName, moduleVersion);
    } catch (error) {
      console.error(error);
      this._classError(error, moduleName);
      return base.createErrorWidgetView(
        error, `Failed to load view class '${className}' from module '${moduleName}'`);
    }
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
        if (!cls && hasModule(part)) {
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

// ------------------------------------------------------------------ grid controllers

/** The uids of the grid controllers whose initialize is done (controller.js says so). */
const initialized = new Set();
window.addEventListener(INITIALIZED, (event) => initialized.add(event.detail));
/** anywidget's limit for a model's module to load and initialize, in ms. */
const ANYWIDGET_LIMIT_MS = 2000;

/**
 * Resolves once every grid controller among `models` (an anywidget model whose
 * `geometry` names a uid) has loaded its module and run its initialize, or after
 * anywidget's own limit (a module that did not load by then has failed anyway). anywidget
 * imports a model's module from a blob: URL, which takes tasks of their own; displayed
 * at once, the views' first drawing (one long task: seconds for 150 SVG panels) would
 * hold them back past that limit, and the page would log "[anywidget] Failed to
 * initialize model.". Waited for, they take a few ms, and the panels' first drawing
 * already has the values the controller put in.
 */
function controllersInitialized(models) {
  const uids = models
    .filter((model) => model.get('_model_module') === 'anywidget')
    .map((model) => (model.get('geometry') || {}).uid)
    .filter((uid) => typeof uid === 'string');
  return new Promise((resolve) => {
    let timer = null;
    const check = () => {
      if (!uids.every((uid) => initialized.has(uid))) {
        return;
      }
      window.removeEventListener(INITIALIZED, check);
      clearTimeout(timer);
      resolve();
    };
    timer = setTimeout(() => {
      window.removeEventListener(INITIALIZED, check);
      resolve();
    }, ANYWIDGET_LIMIT_MS);
    window.addEventListener(INITIALIZED, check);
    check();
  });
}

// ------------------------------------------------------------------ rendering

const STATIC_CLASS = 'digitheat-static';
const PENDING_CLASS = 'digitheat-pending';

function showError(before, error) {
  console.error('digitheat embed:', error);
  const box = document.createElement('div');
  box.className = 'digitheat-embed-error';
  const picture = before.parentElement.querySelector(`:scope > .${STATIC_CLASS}`);
  const shown = picture ? 'The interactive view' : 'This widget';
  const message = error && error.message ? error.message : error;
  box.textContent = `${shown} could not be shown: ${message}`;
  before.parentElement.insertBefore(box, before);
}

/**
 * Resolves once `host` holds at least the number of elements each selector of `wanted`
 * ({selector: count}) names. Checked on every change of the host's subtree (bqplot
 * draws a mark's cells and styles them in one synchronous pass, so when the cells exist
 * they have their geometry and colour), never on a timer.
 */
function whenDrawn(host, wanted) {
  const entries = Object.entries(wanted);
  const drawn = () => entries.every(([selector, count]) => host.querySelectorAll(selector).length >= count);
  return new Promise((resolve) => {
    if (drawn()) {
      resolve();
      return;
    }
    const observer = new MutationObserver(() => {
      if (drawn()) {
        observer.disconnect();
        resolve();
      }
    });
    observer.observe(host, { childList: true, subtree: true });
  });
}

/**
 * The modules of model `id` and of every model its state refers to ("IPY_MODEL_<id>"),
 * read from the saved `state` ({model_id: {model_module, state}}): a class of another
 * module that fails to load (say an ipywidgets Output elsewhere in the notebook, which
 * this runtime does not carry) leaves this view alone.
 */
export function modulesOf(state, id) {
  const found = new Set();
  const seen = new Set();
  const visit = (value) => {
    if (typeof value === 'string') {
      if (value.startsWith('IPY_MODEL_')) {
        walk(value.slice('IPY_MODEL_'.length));
      }
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value && typeof value === 'object') {
      Object.values(value).forEach(visit);
    }
  };
  const walk = (modelId) => {
    const model = state[modelId];
    if (seen.has(modelId) || !model) {
      return;
    }
    seen.add(modelId);
    found.add(model.model_module);
    if (model.state) {
      found.add(model.state._view_module);
      visit(model.state);
    }
  };
  walk(id);
  found.delete(undefined);
  return found;
}

/**
 * Show `view` of `model` in a new host before `tag`; resolves once displayed. With a
 * static picture next to the tag, the host is built hidden (opacity 0, inert: laid out,
 * so bqplot measures real sizes) over the picture, and the picture is removed in the
 * same task as the host is shown, once the live view has drawn: no frame shows neither,
 * and both take the same box. If a class of one of the view's `uses` (modules, see
 * modulesOf) fails to load, the picture stays and a message says so; if the view never
 * draws, the picture stays.
 */
async function displayInPlace(manager, model, tag, uses) {
  const picture = tag.parentElement.querySelector(`:scope > .${STATIC_CLASS}`);
  const host = document.createElement('div');
  host.className = 'widget-subarea';
  if (picture) {
    host.classList.add(PENDING_CLASS);
    host.inert = true;
    host.setAttribute('aria-hidden', 'true');
    let failed = false;
    const fail = ({ error, module }) => {
      if (!failed && (module === undefined || uses.has(module))) {
        failed = true;
        showError(tag, error);
      }
    };
    manager.errors.forEach(fail);
    manager.errorListeners.add(fail);
    whenDrawn(host, JSON.parse(picture.getAttribute('data-live-when') || '{}')).then(() => {
      manager.errorListeners.delete(fail);
      if (failed) {
        return;
      }
      picture.remove();
      host.classList.remove(PENDING_CLASS);
      host.inert = false;
      host.removeAttribute('aria-hidden');
      performance.mark('digitheat:live');
    });
  }
  tag.parentElement.insertBefore(host, tag);
  await manager.display_view(manager.create_view(model), host);
}

/** Render every widget view stored in `root`; resolves when all are displayed (a view
 *  with a static picture replaces it later, once drawn). */
export async function renderWidgets(root = document) {
  const managers = [];
  const viewTags = Array.from(root.querySelectorAll(`script[type="${VIEW_TYPE}"]`));
  for (const stateTag of root.querySelectorAll(`script[type="${STATE_TYPE}"]`)) {
    const manager = new EmbedManager();
    managers.push(manager);
    let models;
    let saved;
    try {
      saved = JSON.parse(stateTag.textContent);
      models = await manager.set_state(saved);
      performance.mark('digitheat:models');
    } catch (error) {
      showError(stateTag, error);
      continue;
    }
    await controllersInitialized(models);
    performance.mark('digitheat:controllers');
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
        try {
          await displayInPlace(manager, model, tag, modulesOf(saved.state, spec.model_id));
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
// Building the views is one long task (several hundred ms on a slow machine): the page
// runs this script only after its first frame has painted (embed.py's BOOTSTRAP), so
// start now, or at DOMContentLoaded if the parser is still at work.
if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start, { once: true });
} else {
  start();
}
