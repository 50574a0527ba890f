// Stand-in for jQuery (87 KB minified), which an export page does not need.
//
// @jupyter-widgets/base, its BoxView and Backbone only *wrap* a view's element as
// `view.$el = $(el)` for widgets written for ipywidgets 7; every DOM operation of the
// views on this page (ipywidgets 8 NativeView, bqplot, bqscales) uses the element
// itself. So `$(el)` here gives an object with `[0]` and `length` only: code that
// would call jQuery methods on `$el` fails loudly (not a function) instead of
// misbehaving quietly. Backbone.ajax / Backbone.$ helpers are not used (no server).
export default function $(element) {
  if (!(this instanceof $)) {
    return new $(element);
  }
  if (element !== undefined && element !== null) {
    this[0] = element;
    this.length = 1;
  } else {
    this.length = 0;
  }
}
