// The controls a grid's control panel uses beyond the runtime's (src/controls.js):
// sliders, dropdowns and toggles, and jslink. Built as a separate AMD module that a page
// carries only when its widget state needs one of these classes, so a grid with its
// control panel (limit sliders jslinked to the colour scale) works in an exported page
// and the plain grid's page stays small. The other controls (media, pickers, tabs, ...)
// are in ./controls-more.js, a part of their own. Everything also in the runtime (base,
// lumino, the controls in ./controls.js) comes from the runtime through `require` (see
// ./shared.js and build.mjs).
export * from '@jupyter-widgets/controls/lib/widget_link.js';
export * from '@jupyter-widgets/controls/lib/widget_bool.js';
export * from '@jupyter-widgets/controls/lib/widget_int.js';
export * from '@jupyter-widgets/controls/lib/widget_float.js';
export * from '@jupyter-widgets/controls/lib/widget_selection.js';
