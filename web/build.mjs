// Bundles the viewer (src/main.ts and its CSS) with esbuild into one
// folder of content-hashed files plus manifest.json, which the numis-web
// crate's build script embeds into the binary. Text files (script, style,
// SVG) also get a brotli (`.br`) and a gzip (`.gz`) twin, compressed once
// here at the highest levels, so the server never compresses them per
// request and a first visit carries a fraction of the bytes.
//
//   node build.mjs [OUTDIR]      (default: web/dist)

import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { constants, brotliCompressSync, gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(process.argv[2] ?? path.join(here, 'dist'));

function fail(message) {
  console.error(`web/build.mjs: ${message}`);
  process.exit(1);
}

// Remove the files of an earlier build in the same folder (and only those:
// the folder may be given on the command line).
async function cleanPrevious() {
  let previous;
  try {
    previous = JSON.parse(await readFile(path.join(outdir, 'manifest.json'), 'utf8'));
  } catch {
    return;
  }
  for (const name of Array.isArray(previous.files) ? previous.files : []) {
    if (typeof name === 'string' && name === path.basename(name)) {
      for (const suffix of ['', '.br', '.gz']) {
        await rm(path.join(outdir, name + suffix), { force: true });
      }
    }
  }
}

// Images and fonts are compressed formats already.
function isCompressible(name) {
  return /\.(js|css|svg|json|txt)$/.test(name);
}

async function writeCompressed(name) {
  const raw = await readFile(path.join(outdir, name));
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  const gz = gzipSync(raw, { level: constants.Z_BEST_COMPRESSION });
  await writeFile(path.join(outdir, `${name}.br`), br);
  await writeFile(path.join(outdir, `${name}.gz`), gz);
}

async function main() {
  await mkdir(outdir, { recursive: true });
  await cleanPrevious();
  const result = await build({
    absWorkingDir: here,
    entryPoints: { main: 'src/main.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    platform: 'browser',
    outdir,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    loader: { '.svg': 'file', '.png': 'file', '.woff2': 'file' },
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  let js;
  let css;
  const files = [];
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    const name = path.basename(output);
    if (path.resolve(here, output) !== path.join(outdir, name)) {
      fail(`unexpected output outside the bundle folder: ${output}`);
    }
    files.push(name);
    if (meta.entryPoint === 'src/main.ts') {
      js = name;
      if (meta.cssBundle) css = path.basename(meta.cssBundle);
    }
  }
  if (!js) fail('esbuild produced no JavaScript entry file');
  if (!css) fail('esbuild produced no CSS bundle (is src/style.css imported?)');
  files.sort();
  for (const name of files.filter(isCompressible)) {
    await writeCompressed(name);
  }
  await writeFile(
    path.join(outdir, 'manifest.json'),
    JSON.stringify({ js, css, files }, null, 2) + '\n',
  );
  console.log(`web/build.mjs: ${files.length} files in ${outdir}`);
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
