// Build the offline widget runtime that digitheat_widget.embed inlines into export pages.
//
//   npm --prefix js ci && npm --prefix js run build
//
// Writes, into digitheat_widget/static/ (ignored by git, shipped in the wheel):
//   runtime.js              widget manager, @jupyter-widgets/base, the controls a grid
//                           uses, and an AMD `define` for bqplot's and bqscales' files
//   runtime.css             the lumino/ipywidgets styles those views need
//   runtime-controls.js     sliders, dropdowns, toggles and jslink (what a grid's control
//                           panel adds) as an AMD module; a page carries it only if its
//                           state needs it
//   runtime-controls.css    their styles
//   runtime-controls-more.js, .css
//                           the other controls (media, pickers, tabs, ...), likewise
//   runtime-manifest.json   what each part provides, read by embed.py
//   controller.js, canvas.js, prefetch.js
//                           the widget's own page-side modules (src/page/), each entry
//                           bundled and minified as one ES module
//
// @lumino/widgets is bundled from the TypeScript sources it ships (src/*.ts, the same
// release as its dist/), file by file: its single dist file cannot be tree-shaken
// (namespaces compiled to IIFEs), and the runtime needs only Widget, Panel and their
// layouts of it, not the dock panels, menus and command palette (about 125 KB).
//
// bqplot's and bqscales' own front-end files are NOT copied here: embed.py reads them
// from the installed Python packages each time it writes a page (they are already
// minified, and esbuild cannot make them smaller), so a page always carries the
// front-end of the bqplot/bqscales installed next to it, even after an upgrade of
// bqplot that did not rebuild this package.

import * as esbuild from 'esbuild';
import { PurgeCSS } from 'purgecss';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const src = (name) => path.join(here, 'src', name);
const outDir = path.resolve(here, '..', 'digitheat_widget', 'static');
const require = createRequire(import.meta.url);

/** The optional controls parts: AMD module name (the runtime looks for them by these
 *  names, in this order), entry, output files. Each carries what it needs beyond the
 *  runtime; none may depend on another (checked below). */
const CONTROLS_PARTS = [
  { module: 'digitheat:controls-extra', entry: 'controls-extra.js', classModule: '@jupyter-widgets/controls',
    script: 'runtime-controls.js', css: 'runtime-controls.css', keep: [/^noUi-/] },
  { module: 'digitheat:controls-more', entry: 'controls-more.js', classModule: '@jupyter-widgets/controls',
    script: 'runtime-controls-more.js', css: 'runtime-controls-more.css', keep: [] },
];
/** Every optional part: the controls parts, and ipywidgets' Output (src/output.js), under
 *  its own module name, so the runtime loads it as it loads any module a class names. */
const PARTS = [
  ...CONTROLS_PARTS,
  { module: '@jupyter-widgets/output', entry: 'output.js', classModule: '@jupyter-widgets/output',
    script: 'runtime-output.js', css: 'runtime-output.css', keep: [] },
];
const CONTROLS_LIB = path.dirname(require.resolve('@jupyter-widgets/controls/lib/index.js'));
const LUMINO_WIDGETS_SRC = path.join(
  path.dirname(require.resolve('@lumino/widgets/package.json')), 'src');

// Two stand-ins, explained in their files: sanitize-html (HTML descriptions only)
// and jquery (only wraps view elements as `$el` for ipywidgets 7 code).
const alias = {
  'sanitize-html': src('sanitize-html.js'),
  jquery: src('jquery.js'),
};

/** @lumino/widgets from its sources (see the top of this file). Its files only declare
 *  classes, functions and namespaces (no top-level statements), so a file none of whose
 *  exports is used can be left out: sideEffects false. Compiled as lumino compiles them
 *  (class fields assigned in the constructor, as in its dist/). */
const luminoWidgetsFromSource = {
  name: 'lumino-widgets-from-source',
  setup(build) {
    build.onResolve({ filter: /^@lumino\/widgets$/ }, () => (
      { path: path.join(LUMINO_WIDGETS_SRC, 'index.ts'), sideEffects: false }));
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (path.dirname(args.importer) !== LUMINO_WIDGETS_SRC) {
        return undefined;
      }
      return { path: path.join(LUMINO_WIDGETS_SRC, `${args.path}.ts`), sideEffects: false };
    });
    build.onResolve({ filter: /\.ts$/ }, (args) => (
      path.dirname(args.path) === LUMINO_WIDGETS_SRC ? { path: args.path, sideEffects: false } : undefined));
  },
};

const common = {
  bundle: true,
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning',
  target: ['chrome90', 'firefox90', 'safari15'],
  platform: 'browser',
  define: { 'process.env.NODE_ENV': '"production"' },
  alias,
};

/** Drop the @imports of widgets-base.css: lumino.css (tabs, accordions) and
 *  nouislider.css (sliders) style controls that only runtime-controls.js has. */
const widgetsBaseWithoutImports = {
  name: 'widgets-base-without-imports',
  setup(build) {
    build.onLoad({ filter: /widgets-base\.css$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const stripped = text.replace(/^@import\s+[^;]+;\s*$/gm, '');
      if (/@import/.test(stripped)) {
        throw new Error(`${args.path}: an @import is left after stripping`);
      }
      return { contents: stripped, loader: 'css' };
    });
  },
};

/** Bundle `entry` as CSS, keeping only rules whose selectors can match class names
 *  found in `js` (what those views create) or in the page embed.py writes, or that
 *  `keep` matches (class names built at run time, such as nouislider's "noUi-" + name). */
async function purgedCss(entry, js, { plugins = [], keep = [] } = {}) {
  const bundled = await esbuild.build({
    ...common, entryPoints: [entry], outfile: 'out.css', write: false, plugins,
  });
  const [purged] = await new PurgeCSS().purge({
    content: [
      { raw: js, extension: 'js' },
      // The page's own markup (export/html.py, export/svg.py): its theme classes and
      // the static picture's ink classes.
      { raw: '<html class="digitheat-theme-light"><body><div class="digitheat-embed">'
          + '<div class="digitheat-static"><svg><rect class="background"/><g class="dhs-title dhs-tick">'
          + '</g><path class="dhs-axis"/></svg></div></div></body></html>', extension: 'html' },
    ],
    css: [{ raw: bundled.outputFiles[0].text }],
    safelist: { standard: [':root', ...keep] },
  });
  const css = await esbuild.transform(purged.css, { loader: 'css', minify: true, legalComments: 'eof' });
  return css.code;
}

/** The capitalised names (classes) a module exports, as esbuild sees them. */
async function classesOf(entry, plugins = []) {
  const result = await esbuild.build({
    ...common, entryPoints: [entry], outfile: 'exports.js', format: 'esm',
    metafile: true, write: false, logLevel: 'error', plugins,
  });
  return Object.values(result.metafile.outputs)[0].exports.filter((n) => /^[A-Z]/.test(n)).sort();
}

/** A comment naming every npm package bundled in a build and its licence. */
function licenceNotice(metafile, what) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);  // innermost package
    if (match && !packages.has(match[2])) {
      const meta = JSON.parse(readFileSync(path.join(here, match[1], 'package.json'), 'utf8'));
      packages.set(match[2], `${match[2]} ${meta.version} (${meta.license})`);
    }
  }
  const list = [...packages.values()].sort().join(', ');
  return `/*! ${what} of digitheat-widget's HTML export. Bundles: ${list} */\n`;
}

await mkdir(outDir, { recursive: true });
const outputs = {};

// ------------------------------------------------------------------ runtime.js

const runtime = await esbuild.build({
  ...common,
  entryPoints: [src('index.js')],
  outfile: 'runtime.js',
  format: 'iife',
  metafile: true,
  write: false,
  plugins: [luminoWidgetsFromSource],
  define: {
    ...common.define,
    DIGITHEAT_CONTROLS_PARTS: JSON.stringify(CONTROLS_PARTS.map((part) => part.module)),
  },
});
outputs['runtime.js'] = licenceNotice(runtime.metafile, 'Widget runtime') + runtime.outputFiles[0].text;
outputs['runtime.css'] = await purgedCss(src('style.css'), outputs['runtime.js'],
  { plugins: [widgetsBaseWithoutImports] });

// ------------------------------------------------------------------ controls parts

// What the runtime shares (src/shared.js): bare names, and controls files by path.
const sharedSource = await readFile(src('shared.js'), 'utf8');
const sharedNames = new Set(
  [...sharedSource.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1])
    .filter((name) => !name.startsWith('.') && name !== 'jquery')
    .map((name) => name.replace(/\.js$/, ''))
);
sharedNames.add('jquery');
const sharedControls = new Map(
  [...sharedNames].filter((n) => n.startsWith('@jupyter-widgets/controls/lib/'))
    .map((n) => [path.join(CONTROLS_LIB, `${n.slice('@jupyter-widgets/controls/lib/'.length)}.js`), n])
);
/** The names of @lumino/widgets the runtime shares (src/shared.js). */
const sharedLumino = new Set(
  /import \{([^}]*)\} from '@lumino\/widgets';/.exec(sharedSource)[1].split(',').map((n) => n.trim())
);
/** The files a build's output holds code of (metafile.inputs also lists files only
 *  parsed, such as @lumino/widgets sources none of whose exports are used). */
const bundledFiles = (metafile) => Object.values(metafile.outputs).flatMap(
  (output) => Object.entries(output.inputs).filter(([, info]) => info.bytesInOutput > 0)
    .map(([file]) => path.resolve(here, file)));
const inRuntime = new Set(bundledFiles(runtime.metafile));
/** The source files of @lumino/widgets, as its index.ts lists them. */
const luminoFiles = [...(await readFile(path.join(LUMINO_WIDGETS_SRC, 'index.ts'), 'utf8'))
  .matchAll(/^export \* from '\.\/([\w-]+)';$/gm)].map((m) => path.join(LUMINO_WIDGETS_SRC, `${m[1]}.ts`));
const RUNTIME_LUMINO = 'digitheat-runtime:@lumino/widgets';

/** Resolve what the runtime shares to `require("<name>")` of the runtime's module: the
 *  names in src/shared.js, the controls files it shares, and the @lumino/widgets source
 *  files it bundles (as its shared "@lumino/widgets" object). */
const useRuntimeModules = {
  name: 'use-runtime-modules',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'inner' || args.kind === 'entry-point') {
        return undefined;
      }
      if (args.path === '@lumino/widgets') {
        // Its files are shared one by one: those in the runtime through its shared
        // object, the others bundled here (a tab bar is only in the part with tabs).
        return { path: 'lumino-widgets', namespace: 'digitheat', sideEffects: false };
      }
      if (args.path === RUNTIME_LUMINO) {
        return { path: '@lumino/widgets', external: true };
      }
      if (sharedNames.has(args.path)) {
        return { path: args.path, external: true };
      }
      const resolved = await build.resolve(args.path, {
        resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'inner',
      });
      if (sharedControls.has(resolved.path)) {
        return { path: sharedControls.get(resolved.path), external: true };
      }
      if (path.dirname(resolved.path) === LUMINO_WIDGETS_SRC && inRuntime.has(resolved.path)) {
        return { path: '@lumino/widgets', external: true };
      }
      return resolved.path === args.path ? undefined : resolved;
    });
    // @lumino/widgets for a part: the names the runtime shares, from the runtime, and
    // everything in the files the runtime does not bundle. Both as static re-exports
    // (a star re-export of the runtime's object would keep all of these files).
    build.onLoad({ filter: /^lumino-widgets$/, namespace: 'digitheat' }, () => ({
      contents: [
        `export { ${[...sharedLumino].join(', ')} } from '${RUNTIME_LUMINO}';`,
        ...luminoFiles.filter((file) => !inRuntime.has(file))
          .map((file) => `export * from ${JSON.stringify(file)};`),
      ].join('\n'),
      resolveDir: LUMINO_WIDGETS_SRC,
      loader: 'js',
    }));
  },
};

/** The names a part imports from the runtime's "@lumino/widgets" (an unminified ES
 *  module build keeps them as named imports). */
async function luminoNamesUsed(entry) {
  const result = await esbuild.build({
    ...common, minify: false, entryPoints: [entry], outfile: 'check.js', format: 'esm',
    write: false, logLevel: 'error', plugins: [useRuntimeModules, luminoWidgetsFromSource],
  });
  const names = new Set();
  for (const m of result.outputFiles[0].text.matchAll(/import \{([^}]*)\} from "@lumino\/widgets"/g)) {
    m[1].split(',').map((n) => n.trim().split(/\s+as\s+/)[0]).filter(Boolean).forEach((n) => names.add(n));
  }
  return names;
}

const partInputs = new Map();
for (const part of PARTS) {
  const built = await esbuild.build({
    ...common,
    entryPoints: [src(part.entry)],
    outfile: part.script,
    format: 'cjs',
    metafile: true,
    write: false,
    plugins: [useRuntimeModules, luminoWidgetsFromSource],
    banner: { js: 'define(["require","exports","module"],function(require,exports,module){' },
    footer: { js: '});' },
  });
  const inputs = bundledFiles(built.metafile);
  // A second copy of anything in the runtime (a lumino, a base) would break class identity.
  const doubled = inputs.filter((f) => inRuntime.has(f));
  if (doubled.length) {
    throw new Error(`${part.script} would carry its own copy of ${doubled.join(', ')}: ` +
      'add them to src/shared.js');
  }
  // Nor may two parts hold one controls file: a page with both would have two classes.
  for (const [other, otherInputs] of partInputs) {
    const both = inputs.filter((f) => f.startsWith(CONTROLS_LIB) && otherInputs.has(f));
    if (both.length) {
      throw new Error(`${part.script} and ${other} would both carry ${both.join(', ')}`);
    }
  }
  partInputs.set(part.script, new Set(inputs));
  const missing = [...await luminoNamesUsed(src(part.entry))].filter((n) => !sharedLumino.has(n));
  if (missing.length) {
    throw new Error(`${part.script} needs ${missing.join(', ')} of @lumino/widgets, which ` +
      'the runtime does not share: add them to src/shared.js');
  }
  outputs[part.script] = licenceNotice(built.metafile, `Controls (${part.entry})`) + built.outputFiles[0].text;
  outputs[part.css] = await purgedCss(src('style-extra.css'), outputs[part.script], { keep: part.keep });
  part.classes = await classesOf(src(part.entry), [useRuntimeModules, luminoWidgetsFromSource]);
}

// ------------------------------------------------------------------ manifest

const version = (name) => require(`${name}/package.json`).version;
const manifest = {
  runtime: JSON.parse(await readFile(path.join(here, 'package.json'), 'utf8')).version,
  // AMD module names the runtime provides to the files it loads (checked by embed.py
  // against the dependencies in bqplot's and bqscales' define([...])).
  provides: ['@jupyter-widgets/base', '@jupyter-widgets/controls'],
  // Classes of those modules: a widget state that needs another class cannot be shown,
  // and embed.py says so instead of writing the page.
  classes: {
    '@jupyter-widgets/base': await classesOf(require.resolve('@jupyter-widgets/base'),
      [luminoWidgetsFromSource]),
    '@jupyter-widgets/controls': await classesOf(src('controls.js'), [luminoWidgetsFromSource]),
  },
  // Parts a page carries only when its state needs one of their classes.
  extras: PARTS.map((part) => ({
    module: part.module,
    script: part.script,
    css: part.css,
    classes: { [part.classModule]: part.classes },
  })),
  packages: Object.fromEntries(
    ['@jupyter-widgets/base', '@jupyter-widgets/base-manager', '@jupyter-widgets/controls',
      '@lumino/widgets'].map((name) => [name, version(name)])
  ),
};
outputs['runtime-manifest.json'] = JSON.stringify(manifest, null, 2) + '\n';

// ------------------------------------------------------------------ the widget's own modules

// The page-side controller, the canvas renderer and the prefetch (src/page/, ES modules)
// travel in their models' widget state: each entry is bundled with the modules it imports into one
// minified ES module, the only form Python serves (live/__init__.py's module_text).
for (const name of ['controller', 'canvas', 'prefetch']) {
  const built = await esbuild.build({
    entryPoints: [src(`page/${name}.js`)], bundle: true, format: 'esm', minify: true,
    target: 'es2020', platform: 'browser', write: false, logLevel: 'warning',
    legalComments: 'none',
  });
  outputs[`${name}.js`] = built.outputFiles[0].text;
}

for (const [name, text] of Object.entries(outputs)) {
  const bytes = Buffer.from(text);
  await writeFile(path.join(outDir, name), bytes);
  if (!name.endsWith('.json')) {
    console.log(`${name}: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped`);
  }
}
if (process.env.DIGITHEAT_BUNDLE_REPORT) {
  console.log(await esbuild.analyzeMetafile(runtime.metafile));
}
