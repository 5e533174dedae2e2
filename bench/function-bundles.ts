/**
 * What each Lambda costs to ship and to start: its bundle built with exactly the esbuild settings
 * the CDK app uses (infra/deploy-function.ts BUNDLING), minified, without the source map, and how
 * long a fresh Node.js process takes to `require()` it (median of BUNDLE_LOAD_RUNS processes; only
 * the require is timed, not the process start). Targets from issue 12, printed PASS or FAIL.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync, type BuildOptions } from 'esbuild';
import { BUNDLING } from '../infra/deploy-function';
import { taskStates } from '../statemachine/definition';

const ROOT = path.join(__dirname, '..');
const LOAD_RUNS = Number(process.env.BUNDLE_LOAD_RUNS ?? 20);
/** Issue 12's targets. */
const MAX_BUNDLE_BYTES = 300 * 1024;
const MAX_TRIGGER_LOAD_MS = 150;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * BUNDLING's `esbuildArgs` as esbuild API options. Only `--alias` is translated: any other
 * argument stops the bench rather than be left out of a build that must match the CDK app's.
 */
function esbuildArgOptions(): Pick<BuildOptions, 'alias'> {
  const alias: Record<string, string> = {};
  for (const [key, value] of Object.entries(BUNDLING.esbuildArgs ?? {})) {
    if (key !== '--alias' || !Array.isArray(value)) throw new Error(`bench/function-bundles.ts does not translate the esbuild argument ${key}; teach it before measuring.`);
    for (const entry of value) {
      const separator = entry.indexOf('=');
      alias[entry.slice(0, separator)] = entry.slice(separator + 1);
    }
  }
  return { alias };
}

function bundle(folder: string, outdir: string): string {
  const outfile = path.join(outdir, `${folder}.js`);
  buildSync({
    entryPoints: [path.join(ROOT, 'functions', folder, 'handler.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    mainFields: BUNDLING.mainFields,
    external: BUNDLING.externalModules,
    ...esbuildArgOptions(),
    sourcemap: false,
    logLevel: 'silent',
  });
  return outfile;
}

/** Milliseconds one fresh process spends in `require(file)`. */
function loadMilliseconds(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));`;
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' } }));
}

export function functionBundles(): void {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bundles-'));
  const folders = [...taskStates().map((state) => state.functionFolder), 'trigger', 'complete-stack-wait', 'check-waiting-approvals'];
  const rows = folders.map((folder) => {
    const file = bundle(folder, outdir);
    const bytes = fs.statSync(file).size;
    const loads = Array.from({ length: LOAD_RUNS }, () => loadMilliseconds(file));
    const loadMs = median(loads);
    return {
      function: folder,
      'bundle KB': (bytes / 1024).toFixed(0),
      [`≤ ${MAX_BUNDLE_BYTES / 1024} KB`]: bytes <= MAX_BUNDLE_BYTES ? 'PASS' : 'FAIL',
      'load ms (median)': loadMs.toFixed(0),
      ...(folder === 'trigger' ? { [`trigger load ≤ ${MAX_TRIGGER_LOAD_MS} ms`]: loadMs <= MAX_TRIGGER_LOAD_MS ? 'PASS' : 'FAIL' } : {}),
    };
  });
  fs.rmSync(outdir, { recursive: true, force: true });
  console.log(`Function bundles (esbuild as the CDK app bundles them, minified, no source map; load = median of ${LOAD_RUNS} fresh processes)`);
  console.table(rows);
}
