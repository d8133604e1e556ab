/**
 * Runs every benchmark script in bench/ (each `*.ts` except this one and `tmp-*` scratch files), one
 * after another, each in its own child process through tsx; then prints one line per script with its
 * exit code and duration. Exits non-zero when any script failed or missed its target.
 *
 *   npm run bench        (= npx tsx bench/run-all.ts)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const self = basename(fileURLToPath(import.meta.url));
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== self && !f.startsWith('tmp-') && !f.endsWith('.d.ts'))
  .sort();

const results: Array<{ script: string; code: number; seconds: number }> = [];
for (const script of scripts) {
  console.log(`\n=== bench/${script} ===`);
  const t0 = performance.now();
  // process.execArgv carries tsx's loader, so the child runs TypeScript the same way.
  const r = spawnSync(process.execPath, [...process.execArgv, join(here, script)], { stdio: 'inherit' });
  results.push({ script, code: r.status ?? 1, seconds: (performance.now() - t0) / 1000 });
}

console.log('\n=== summary ===');
for (const r of results) console.log(`${r.code === 0 ? 'ok    ' : 'FAILED'} bench/${r.script} (${r.seconds.toFixed(0)} s)`);
if (results.some((r) => r.code !== 0)) process.exitCode = 1;
