// Build the offline widget runtime that digitheat_widget.embed inlines into export pages.
//
//   npm --prefix js ci && npm --prefix js run build
//
// Writes, into digitheat_widget/static/ (ignored by git, shipped in the wheel):
//   runtime.js             widget manager + @jupyter-widgets/base + the controls a grid
//                          uses + an AMD `define` for bqplot's and bqscales' files
//   runtime.css            lumino/ipywidgets styles the views need
//   runtime-manifest.json  what the runtime provides, read by embed.py
//
// bqplot's and bqscales' own front-end files are NOT copied here: embed.py reads them
// from the installed Python packages each time it writes a page (they are already
// minified, and esbuild cannot make them smaller), so a page always carries the
// front-end of the bqplot/bqscales installed next to it, even after an upgrade of
// bqplot that did not rebuild this package.

import * as esbuild from 'esbuild';
import { PurgeCSS } from 'purgecss';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '..', 'digitheat_widget', 'static');
const require = createRequire(import.meta.url);

/** Drop the @imports of widgets-base.css: lumino.css (tabs, accordions) and
 *  nouislider.css (sliders) style controls a grid does not use. */
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

// Two stand-ins, explained in their files: sanitize-html (HTML descriptions only)
// and jquery (only wraps view elements as `$el` for ipywidgets 7 code).
const alias = {
  'sanitize-html': path.join(here, 'src', 'sanitize-html.js'),
  jquery: path.join(here, 'src', 'jquery.js'),
};

const common = {
  bundle: true,
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning',
  target: ['chrome90', 'firefox90', 'safari15'],
};

await mkdir(outDir, { recursive: true });

const js = await esbuild.build({
  ...common,
  entryPoints: [path.join(here, 'src', 'index.js')],
  outfile: path.join(outDir, 'runtime.js'),
  format: 'iife',
  platform: 'browser',
  define: { 'process.env.NODE_ENV': '"production"' },
  alias,
  metafile: true,
  write: false,
});
await writeFile(path.join(outDir, 'runtime.js'), js.outputFiles[0].contents);

// CSS: bundle, then keep only the rules whose selectors can match what this runtime's
// views create (class names found in runtime.js) or what the page itself holds. Most of
// widgets-base.css styles controls (sliders, buttons, pickers) a grid page never shows.
const cssBundle = await esbuild.build({
  ...common,
  entryPoints: [path.join(here, 'src', 'style.css')],
  outfile: 'runtime.css',
  write: false,
  plugins: [widgetsBaseWithoutImports],
});
const [purged] = await new PurgeCSS().purge({
  content: [
    { raw: js.outputFiles[0].text, extension: 'js' },
    // The markup embed.py writes around the widget.
    { raw: '<html><body><div class="digitheat-embed"></div></body></html>', extension: 'html' },
  ],
  css: [{ raw: cssBundle.outputFiles[0].text }],
  safelist: { standard: [':root'] },
});
const css = await esbuild.transform(purged.css, { loader: 'css', minify: true, legalComments: 'eof' });
await writeFile(path.join(outDir, 'runtime.css'), css.code);

/** The names a module exports, as esbuild sees them (bundled as ESM, not written). */
async function exportsOf(entry) {
  const result = await esbuild.build({
    ...common,
    entryPoints: [entry],
    outfile: 'exports.js',
    format: 'esm',
    platform: 'browser',
    alias,
    metafile: true,
    write: false,
    logLevel: 'error',
  });
  return Object.values(result.metafile.outputs)[0].exports.filter((name) => /^[A-Z]/.test(name)).sort();
}

const version = (name) => require(`${name}/package.json`).version;
const manifest = {
  runtime: JSON.parse(await readFile(path.join(here, 'package.json'), 'utf8')).version,
  // AMD module names the runtime provides to the files it loads (checked by embed.py
  // against the dependencies of bqplot's and bqscales' define([...])).
  provides: ['@jupyter-widgets/base', '@jupyter-widgets/controls'],
  // Classes (models, views) of those modules: a widget state needing another class
  // cannot be shown by this runtime, and embed.py says so instead of writing the page.
  classes: {
    '@jupyter-widgets/base': await exportsOf(require.resolve('@jupyter-widgets/base')),
    '@jupyter-widgets/controls': await exportsOf(path.join(here, 'src', 'controls.js')),
  },
  packages: Object.fromEntries(
    ['@jupyter-widgets/base', '@jupyter-widgets/base-manager', '@jupyter-widgets/controls',
      '@lumino/widgets'].map((name) => [name, version(name)])
  ),
};
await writeFile(path.join(outDir, 'runtime-manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

for (const name of ['runtime.js', 'runtime.css']) {
  const bytes = await readFile(path.join(outDir, name));
  console.log(`${name}: ${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped`);
}
if (process.env.DIGITHEAT_BUNDLE_REPORT) {
  console.log(await esbuild.analyzeMetafile(js.metafile));
}
