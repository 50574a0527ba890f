// The part of @jupyter-widgets/controls that a digitheat grid's state uses: boxes
// (VBox, HBox, GridBox), the HTML widget (the grid's <style>) and Button (the clickable
// panel titles), with their style models; Label and HTMLMath come with widget_string.
// Deep imports of the real package, so these views behave exactly as in JupyterLab.
//
// All of controls would add about 140 KB of JavaScript and 18 KB of CSS (sliders,
// pickers, media, ...): over the page budget. build.mjs lists the classes exported here
// in static/runtime-manifest.json and embed.py refuses a widget whose state needs any
// other, so a page never fails silently.
export * from '@jupyter-widgets/controls/lib/widget_core.js';
export * from '@jupyter-widgets/controls/lib/widget_description.js';
export * from '@jupyter-widgets/controls/lib/widget_box.js';
export * from '@jupyter-widgets/controls/lib/widget_string.js';
export * from '@jupyter-widgets/controls/lib/widget_button.js';
