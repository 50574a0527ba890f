// Stand-in for jQuery (87 KB minified), which an export page does not need.
//
// @jupyter-widgets/base, its BoxView and Backbone only *wrap* a view's element as
// `view.$el = $(el)`, for widgets written against ipywidgets 7; the views on a grid's
// page (ipywidgets 8 NativeView, bqplot, bqscales) use the element itself. A few widget
// libraries still call simple jQuery methods on `$el` (anywidget: `view.$el.empty()`),
// so the wrapper has the common one-liners, with jQuery's meaning for plain elements.
// Anything else (selectors with jQuery extensions, animations, ajax, plugins) is absent
// and fails loudly ("... is not a function") rather than misbehaving quietly.

function toNodes(value) {
  if (value === undefined || value === null) return [];
  if (value instanceof $) return Array.from(value);
  if (typeof value === 'string') {
    const template = document.createElement('template');
    template.innerHTML = value;
    return Array.from(template.content.childNodes);
  }
  if (typeof value.length === 'number' && !value.nodeType && value !== window) {
    return Array.from(value);
  }
  return [value];
}

const classes = (names) => String(names).split(/\s+/).filter(Boolean);

/** Only `.on(events, handler)`: no delegation selectors, no namespaces, no data. */
function plainEvents(method, events, handler, rest) {
  if (rest.length || typeof handler !== 'function' || /\./.test(events)) {
    throw new Error(`$el.${method}(): this page's jQuery stand-in only takes (events, handler)`);
  }
}

export default function $(selection) {
  if (typeof selection === 'function') {
    // $(fn): run fn once the document is parsed.
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', () => selection($), { once: true });
    } else {
      setTimeout(() => selection($), 0);
    }
    return undefined;
  }
  if (!(this instanceof $)) {
    return new $(selection);
  }
  const nodes = typeof selection === 'string' && !selection.trim().startsWith('<')
    ? Array.from(document.querySelectorAll(selection))
    : toNodes(selection);
  nodes.forEach((node, i) => {
    this[i] = node;
  });
  this.length = nodes.length;
}

$.fn = $.prototype;
Object.assign($.prototype, {
  jquery: 'digitheat-stand-in',
  each(fn) {
    Array.prototype.forEach.call(this, (node, i) => fn.call(node, i, node));
    return this;
  },
  get(i) {
    return i === undefined ? Array.from(this) : this[i < 0 ? this.length + i : i];
  },
  find(selector) {
    return new $(Array.prototype.flatMap.call(this, (n) => Array.from(n.querySelectorAll(selector))));
  },
  empty() {
    return this.each(function () {
      this.replaceChildren();
    });
  },
  remove() {
    return this.each(function () {
      this.remove();
    });
  },
  append(...contents) {
    return this.each(function (i) {
      for (const content of contents) {
        for (const node of toNodes(content)) this.appendChild(i === 0 ? node : node.cloneNode(true));
      }
    });
  },
  html(value) {
    if (value === undefined) return this[0] ? this[0].innerHTML : undefined;
    return this.each(function () {
      this.innerHTML = value;
    });
  },
  text(value) {
    if (value === undefined) return Array.prototype.map.call(this, (n) => n.textContent).join('');
    return this.each(function () {
      this.textContent = value;
    });
  },
  attr(name, value) {
    if (typeof name === 'object') {
      for (const [k, v] of Object.entries(name)) this.attr(k, v);
      return this;
    }
    if (value === undefined) return this[0] ? this[0].getAttribute(name) ?? undefined : undefined;
    return this.each(function () {
      if (value === null) this.removeAttribute(name);
      else this.setAttribute(name, value);
    });
  },
  css(name, value) {
    if (typeof name === 'object') {
      for (const [k, v] of Object.entries(name)) this.css(k, v);
      return this;
    }
    if (value === undefined) return this[0] ? getComputedStyle(this[0]).getPropertyValue(name) : undefined;
    return this.each(function () {
      this.style.setProperty(name, typeof value === 'number' ? `${value}px` : value);
    });
  },
  addClass(names) {
    return this.each(function () {
      this.classList.add(...classes(names));
    });
  },
  removeClass(names) {
    return this.each(function () {
      if (names === undefined) this.removeAttribute('class');
      else this.classList.remove(...classes(names));
    });
  },
  toggleClass(names, state) {
    return this.each(function () {
      for (const name of classes(names)) this.classList.toggle(name, state);
    });
  },
  hasClass(name) {
    return Array.prototype.some.call(this, (n) => n.classList.contains(name));
  },
  on(events, handler, ...rest) {
    plainEvents('on', events, handler, rest);
    return this.each(function () {
      for (const event of classes(events)) this.addEventListener(event, handler);
    });
  },
  off(events, handler, ...rest) {
    plainEvents('off', events, handler, rest);
    return this.each(function () {
      for (const event of classes(events)) this.removeEventListener(event, handler);
    });
  },
});
