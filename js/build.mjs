// Build the offline widget runtime that digitheat_widget.embed inlines into export pages.
//
//   npm --prefix js ci && npm --prefix js run build
//
// Writes, into digitheat_widget/static/ (ignored by git, shipped in the wheel):
//   runtime.js              widget manager, @jupyter-widgets/base, the controls a grid
//                           uses, and an AMD `define` for bqplot's and bqscales' files
//   runtime.css             the lumino/ipywidgets styles those views need
//   runtime-controls.js     the other controls (sliders, toggles, jslink, ...) as an AMD
//                           module; a page carries it only if its state needs it
//   runtime-controls.css    their styles
//   runtime-manifest.json   what each part provides, read by embed.py
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

/** AMD module name of runtime-controls.js (the runtime looks for it by this name). */
const CONTROLS_EXTRA = 'digitheat:controls-extra';
const CONTROLS_LIB = path.dirname(require.resolve('@jupyter-widgets/controls/lib/index.js'));

// Two stand-ins, explained in their files: sanitize-html (HTML descriptions only)
// and jquery (only wraps view elements as `$el` for ipywidgets 7 code).
const alias = {
  'sanitize-html': src('sanitize-html.js'),
  jquery: src('jquery.js'),
};

const common = {
  bundle: true,
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
      { raw: '<html><body><div class="digitheat-embed"></div></body></html>', extension: 'html' },
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
});
outputs['runtime.js'] = licenceNotice(runtime.metafile, 'Widget runtime') + runtime.outputFiles[0].text;
outputs['runtime.css'] = await purgedCss(src('style.css'), outputs['runtime.js'],
  { plugins: [widgetsBaseWithoutImports] });

// ------------------------------------------------------------------ runtime-controls.js

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

/** Resolve what the runtime shares to `require("<name>")` of the runtime's module. */
const useRuntimeModules = {
  name: 'use-runtime-modules',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'inner' || args.kind === 'entry-point') {
        return undefined;
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
      return undefined;
    });
  },
};

const extra = await esbuild.build({
  ...common,
  entryPoints: [src('controls-extra.js')],
  outfile: 'runtime-controls.js',
  format: 'cjs',
  metafile: true,
  write: false,
  plugins: [useRuntimeModules],
  banner: { js: 'define(["require","exports","module"],function(require,exports,module){' },
  footer: { js: '});' },
});
// A second copy of anything in the runtime (a lumino, a base) would break class identity.
const inRuntime = new Set(Object.keys(runtime.metafile.inputs));
const doubled = Object.keys(extra.metafile.inputs).filter((f) => inRuntime.has(f));
if (doubled.length) {
  throw new Error(`runtime-controls.js would carry its own copy of ${doubled.join(', ')}: ` +
    'add them to src/shared.js');
}
outputs['runtime-controls.js'] = licenceNotice(extra.metafile, 'Controls') + extra.outputFiles[0].text;
outputs['runtime-controls.css'] = await purgedCss(src('style-extra.css'), outputs['runtime-controls.js'],
  { keep: [/^noUi-/] });

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
    '@jupyter-widgets/base': await classesOf(require.resolve('@jupyter-widgets/base')),
    '@jupyter-widgets/controls': await classesOf(src('controls.js')),
  },
  // Parts a page carries only when its state needs one of their classes.
  extras: [
    {
      module: CONTROLS_EXTRA,
      script: 'runtime-controls.js',
      css: 'runtime-controls.css',
      classes: { '@jupyter-widgets/controls': await classesOf(src('controls-extra.js'), [useRuntimeModules]) },
    },
  ],
  packages: Object.fromEntries(
    ['@jupyter-widgets/base', '@jupyter-widgets/base-manager', '@jupyter-widgets/controls',
      '@lumino/widgets'].map((name) => [name, version(name)])
  ),
};
outputs['runtime-manifest.json'] = JSON.stringify(manifest, null, 2) + '\n';

for (const [name, text] of Object.entries(outputs)) {
  const bytes = Buffer.from(text);
  await writeFile(path.join(outDir, name), bytes);
  if (!name.endsWith('.json')) {
    console.log(`${name}: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped`);
  }
}
if (process.env.DIGITHEAT_BUNDLE_REPORT) {
  console.log(await esbuild.analyzeMetafile(runtime.metafile));
  console.log(await esbuild.analyzeMetafile(extra.metafile));
}
