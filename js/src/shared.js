// Modules of this runtime that code loaded next to it must use rather than carry its own
// copy: one @jupyter-widgets/base and one lumino (class identity, lumino's message loop),
// and the controls modules already in the runtime. The runtime registers each under its
// name for AMD `define` dependencies and `require` calls: bqplot's and bqscales' files,
// and the controls parts (build.mjs makes exactly these names external there, and fails
// if a part would include a second copy of anything in the runtime).
import * as base from '@jupyter-widgets/base';
import * as algorithm from '@lumino/algorithm';
import * as coreutils from '@lumino/coreutils';
import * as domutils from '@lumino/domutils';
import * as messaging from '@lumino/messaging';
import * as properties from '@lumino/properties';
import * as signaling from '@lumino/signaling';
// Only what the runtime's own code and the controls parts use of @lumino/widgets (which
// build.mjs bundles from its TypeScript sources, file by file, so the rest - dock panels,
// menus, command palettes - stays out); build.mjs fails if a part needs another name.
import { Layout, LayoutItem, Panel, PanelLayout, Title, Widget } from '@lumino/widgets';
import jquery from 'jquery';
import * as utils from '@jupyter-widgets/controls/lib/utils.js';
import * as version from '@jupyter-widgets/controls/lib/version.js';
import * as widgetBox from '@jupyter-widgets/controls/lib/widget_box.js';
import * as widgetButton from '@jupyter-widgets/controls/lib/widget_button.js';
import * as widgetCore from '@jupyter-widgets/controls/lib/widget_core.js';
import * as widgetDescription from '@jupyter-widgets/controls/lib/widget_description.js';
import * as widgetString from '@jupyter-widgets/controls/lib/widget_string.js';

import * as controls from './controls.js';

const CONTROLS_LIB = '@jupyter-widgets/controls/lib/';

export const SHARED = {
  '@jupyter-widgets/base': base,
  // The subset of controls in this runtime; the controls parts have the rest.
  '@jupyter-widgets/controls': controls,
  '@lumino/algorithm': algorithm,
  '@lumino/coreutils': coreutils,
  '@lumino/domutils': domutils,
  '@lumino/messaging': messaging,
  '@lumino/properties': properties,
  '@lumino/signaling': signaling,
  '@lumino/widgets': { Layout, LayoutItem, Panel, PanelLayout, Title, Widget },
  jquery: { __esModule: true, default: jquery },
  [`${CONTROLS_LIB}utils`]: utils,
  [`${CONTROLS_LIB}version`]: version,
  [`${CONTROLS_LIB}widget_box`]: widgetBox,
  [`${CONTROLS_LIB}widget_button`]: widgetButton,
  [`${CONTROLS_LIB}widget_core`]: widgetCore,
  [`${CONTROLS_LIB}widget_description`]: widgetDescription,
  [`${CONTROLS_LIB}widget_string`]: widgetString,
};
