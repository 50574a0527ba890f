// The rest of @jupyter-widgets/controls (sliders, pickers, toggles, links, media, ...),
// built as a separate AMD module that a page carries only when its widget state needs
// one of these classes: a grid with its control panel (limit sliders jslinked to the
// colour scale) works in an exported page, and the plain grid's page stays small.
// Everything also in the runtime (base, lumino, the controls in ./controls.js) comes
// from the runtime through `require` (see ./shared.js and build.mjs).
export * from '@jupyter-widgets/controls/lib/widget_link.js';
export * from '@jupyter-widgets/controls/lib/widget_bool.js';
export * from '@jupyter-widgets/controls/lib/widget_image.js';
export * from '@jupyter-widgets/controls/lib/widget_video.js';
export * from '@jupyter-widgets/controls/lib/widget_audio.js';
export * from '@jupyter-widgets/controls/lib/widget_color.js';
export * from '@jupyter-widgets/controls/lib/widget_date.js';
export * from '@jupyter-widgets/controls/lib/widget_datetime.js';
export * from '@jupyter-widgets/controls/lib/widget_time.js';
export * from '@jupyter-widgets/controls/lib/widget_int.js';
export * from '@jupyter-widgets/controls/lib/widget_float.js';
export * from '@jupyter-widgets/controls/lib/widget_controller.js';
export * from '@jupyter-widgets/controls/lib/widget_selection.js';
export * from '@jupyter-widgets/controls/lib/widget_selectioncontainer.js';
export * from '@jupyter-widgets/controls/lib/widget_tagsinput.js';
export * from '@jupyter-widgets/controls/lib/widget_upload.js';
