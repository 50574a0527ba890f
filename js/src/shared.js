// Modules of this runtime that code loaded next to it must use rather than carry its own
// copy: one @jupyter-widgets/base and one lumino (class identity, lumino's message loop),
// and the controls modules already in the runtime. The runtime registers each under its
// name for AMD `define` dependencies and `require` calls: bqplot's and bqscales' files,
// and controls-extra.js (build.mjs makes exactly these names external there, and fails
// if that bundle would include a second copy of anything in the runtime).
import * as base from '@jupyter-widgets/base';
import * as algorithm from '@lumino/algorithm';
import * as domutils from '@lumino/domutils';
import * as messaging from '@lumino/messaging';
import * as signaling from '@lumino/signaling';
import * as widgets from '@lumino/widgets';
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
  // The subset of controls in this runtime; controls-extra.js has the rest.
  '@jupyter-widgets/controls': controls,
  '@lumino/algorithm': algorithm,
  '@lumino/domutils': domutils,
  '@lumino/messaging': messaging,
  '@lumino/signaling': signaling,
  '@lumino/widgets': widgets,
  jquery: { __esModule: true, default: jquery },
  [`${CONTROLS_LIB}utils`]: utils,
  [`${CONTROLS_LIB}version`]: version,
  [`${CONTROLS_LIB}widget_box`]: widgetBox,
  [`${CONTROLS_LIB}widget_button`]: widgetButton,
  [`${CONTROLS_LIB}widget_core`]: widgetCore,
  [`${CONTROLS_LIB}widget_description`]: widgetDescription,
  [`${CONTROLS_LIB}widget_string`]: widgetString,
};
