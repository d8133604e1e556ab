/**
 * Detection on the shared evaluation sets: `npx tsx bench/eval.ts [--eval DIR] [--sweep] [--speed]`.
 * Replays every set in memory with the default parameters (as `logusage backtest --input FILE` does) and
 * prints the detection issue's table, one line a row, then one JSON line:
 * - dev-hard, dev-1, dev-2: recall / precision / false alerts per 1,000 log-days, by the shared
 *   `score.mjs` (an event counts when caught on its first day or the day after, with the right kind);
 * - inj-wiki72: recall and the false alerts the injections caused (findings outside every event that the
 *   untouched series did not have), as `real/judge.mjs` counts them;
 * - bg-wiki72: findings per 1,000 series-days and those in runs of 14+ days of one kind on one series;
 * - nab-nyc-taxi-daily: the blizzard (drop on 2015-01-26 or 27) and what is said on Christmas, without and
 *   with HOLIDAYS=12-25,01-01 (a single series cannot tell a holiday from a drop by itself);
 * - with --sweep: the same figures at sensitivity 1 … 0.5 (the trade-off of recall against false findings);
 * - with --speed: bench/detect.ts in a child process (10,000 logs × 365 days), its JSON summary.
 * DIR defaults to ../shared/eval (then ../../shared/eval) from the working directory. The sets are read
 * only; nothing here tunes anything.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replay } from '../src/detect/backtest.js';
import { DEFAULT_PARAMS, type DetectParams } from '../src/detect/params.js';
import type { Finding } from '../src/detect/types.js';
import { readCsvHistory } from '../src/usage-csv.js';

const args = process.argv.slice(2);
const argAt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const candidates = [argAt('--eval'), '../shared/eval', '../../shared/eval'].filter((d): d is string => !!d).map((d) => resolve(d));
const EVAL = candidates.find((d) => existsSync(join(d, 'score.mjs')));
if (!EVAL) {
  console.log(`No evaluation sets found (looked in ${candidates.join(', ')}): nothing to measure.`);
  process.exit(0);
}

const SCORED = new Set(['spike', 'drop', 'silent', 'new']);
const dayN = (s: string) => Math.round(Date.parse(`${s}T00:00:00Z`) / 86_400_000);

/** Every finding of a replay of the set's usage.csv. */
function run(set: string, params: DetectParams = DEFAULT_PARAMS): Finding[] {
  const h = readCsvHistory(join(EVAL!, set, 'usage.csv'));
  const out: Finding[] = [];
  replay(h, { params, onDay: (r) => out.push(...r.findings) });
  return out;
}

/** Scored findings, one per (log, day, kind), as the shared scripts count them. */
function scored(fs: Finding[]): Finding[] {
  const seen = new Set<string>();
  return fs.filter((f) => {
    const k = `${f.logId}|${f.day}|${f.kind}`;
    if (!SCORED.has(f.kind) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

interface Score {
  recall: number;
  precision: number;
  falseAlertsPer1000LogDays: number;
}

/** The shared score.mjs on the findings (one JSON line a finding). */
function score(set: string, fs: Finding[]): Score {
  const tmp = mkdtempSync(join(tmpdir(), 'logusage-eval-'));
  try {
    const file = join(tmp, 'findings.jsonl');
    writeFileSync(
      file,
      scored(fs)
        .map((f) => JSON.stringify({ day: f.day, logId: f.logId, kind: f.kind }))
        .join('\n'),
    );
    const r = spawnSync(process.execPath, [join(EVAL!, 'score.mjs'), join(EVAL!, set, 'labels.json'), file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`score.mjs failed on ${set}: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as Score;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

interface Labels {
  logs: number;
  days: number;
  labels: Array<{ log_id: string; kind: string; start: string; end: string; grace?: number }>;
}
const labels = (set: string) => JSON.parse(readFileSync(join(EVAL, set, 'labels.json'), 'utf8')) as Labels;
const fmt = (s: Score) => `${s.recall.toFixed(3)} / ${s.precision.toFixed(3)} / ${s.falseAlertsPer1000LogDays.toFixed(2)}`;
const summary: Record<string, unknown> = {};
const line = (row: string, value: string) => console.log(`${row.padEnd(40)} ${value}`);

console.log(`Evaluation sets: ${EVAL}`);
const defaults = new Map<string, Score>();
for (const set of ['dev-hard', 'dev-1', 'dev-2']) {
  const s = score(set, run(set));
  defaults.set(set, s);
  summary[set] = { recall: s.recall, precision: s.precision, falsePer1000: s.falseAlertsPer1000LogDays };
  line(`${set} recall / precision / false per 1,000`, fmt(s));
}

// bg-wiki72: untouched real series — every finding is a real anomaly or a false alarm.
/** bg-wiki72's scored findings, their rate per 1,000 series-days, those in 14+ day runs, and its organisation days. */
function background(params: DetectParams) {
  const all = run('real/bg-wiki72', params);
  const bg = scored(all);
  const bm = labels('real/bg-wiki72');
  const runs = new Map<string, number[]>();
  for (const f of bg) {
    const k = `${f.logId}|${f.kind}`;
    const list = runs.get(k);
    if (list) list.push(dayN(f.day));
    else runs.set(k, [dayN(f.day)]);
  }
  let long = 0;
  for (const ds of runs.values()) {
    ds.sort((a, b) => a - b);
    let s = 0;
    for (let k = 1; k <= ds.length; k++) {
      if (k === ds.length || ds[k] !== ds[k - 1]! + 1) {
        if (k - s >= 14) long += k - s;
        s = k;
      }
    }
  }
  const per1000 = (bg.length / (bm.logs * bm.days)) * 1000;
  return { bg, per1000, long, org: all.filter((f) => f.kind === 'org').length };
}

// inj-wiki72: the same series with injected events (ids kept).
/** inj-wiki72's recall and the false alerts the injections caused, against bg-wiki72's findings `bg`. */
function injected(params: DetectParams, bg: Finding[]) {
  const bgKeys = new Set(bg.map((f) => `${f.logId}|${f.day}|${f.kind}`));
  const events = labels('real/inj-wiki72').labels.map((l, k) => ({ ...l, s: dayN(l.start), e: dayN(l.end), k }));
  const caught = new Set<number>();
  let induced = 0;
  for (const f of scored(run('real/inj-wiki72', params))) {
    const d = dayN(f.day);
    let inside = false;
    for (const e of events) {
      if (e.log_id !== f.logId) continue;
      if (d >= e.s && d <= e.e + (e.grace ?? 0)) inside = true;
      if (e.kind === f.kind && d >= e.s && d <= e.s + 1) caught.add(e.k);
    }
    if (!inside && !bgKeys.has(`${f.logId}|${f.day}|${f.kind}`)) induced++;
  }
  return { recall: caught.size / events.length, caught: caught.size, events: events.length, induced };
}

const b0 = background(DEFAULT_PARAMS);
summary['bg-wiki72'] = { findingsPer1000: +b0.per1000.toFixed(2), inLongRuns: b0.long, orgDays: b0.org };
line('bg-wiki72 findings per 1,000 series-days', `${b0.per1000.toFixed(2)} (in 14+ day runs: ${b0.long}; organisation days: ${b0.org})`);
const i0 = injected(DEFAULT_PARAMS, b0.bg);
summary['inj-wiki72'] = { recall: +i0.recall.toFixed(3), injectionCausedFalseAlerts: i0.induced };
line('inj-wiki72 recall; injection-caused false', `${i0.recall.toFixed(3)}; ${i0.induced}`);

// NYC taxi: one series; the blizzard, and what Christmas gives without and with HOLIDAYS.
const taxi = (holidays: string[]) => {
  const fs = run('real/nab-nyc-taxi-daily', { ...DEFAULT_PARAMS, holidays });
  const blizzard = fs.some((f) => f.kind === 'drop' && f.day >= '2015-01-26' && f.day <= '2015-01-27');
  const xmas = fs.filter((f) => f.day === '2014-12-25').map((f) => (f.kind === 'org' ? `org ${f.details?.orgEvent}` : f.kind));
  return { blizzard, christmas: xmas };
};
const t0 = taxi([]);
const t1 = taxi(['12-25', '01-01']);
summary['nab-nyc-taxi-daily'] = { withoutHolidays: t0, withHolidays: t1 };
line(
  'nab-nyc-taxi-daily',
  `blizzard ${t0.blizzard ? 'caught' : 'MISSED'}; Christmas: ${t0.christmas.join(', ') || 'nothing'} (HOLIDAYS=12-25,01-01: blizzard ${
    t1.blizzard ? 'caught' : 'MISSED'
  }, Christmas: ${t1.christmas.join(', ') || 'nothing'})`,
);

if (args.includes('--sweep')) {
  // The trade-off along the product's own sensitivity setting (every bar scales with it): what more recall
  // on inj-wiki72 costs in findings on the untouched series and in dev-hard's precision.
  console.log('sensitivity  dev-hard R / P / F      bg-wiki72 /1,000  inj-wiki72 recall (caught); induced');
  const rows: unknown[] = [];
  for (const sensitivity of [1, 0.9, 0.8, 0.7, 0.6, 0.5]) {
    // The default row is the one measured above.
    const params = { ...DEFAULT_PARAMS, sensitivity };
    const same = sensitivity === DEFAULT_PARAMS.sensitivity;
    const d = same ? defaults.get('dev-hard')! : score('dev-hard', run('dev-hard', params));
    const b = same ? b0 : background(params);
    const i = same ? i0 : injected(params, b.bg);
    console.log(
      `${String(sensitivity).padEnd(12)} ${fmt(d).padEnd(23)} ${b.per1000.toFixed(2).padEnd(17)} ${i.recall.toFixed(3)} (${i.caught}/${i.events}); ${i.induced}`,
    );
    rows.push({
      sensitivity,
      devHard: { recall: d.recall, precision: d.precision, falsePer1000: d.falseAlertsPer1000LogDays },
      bgPer1000: +b.per1000.toFixed(2),
      injRecall: +i.recall.toFixed(3),
      induced: i.induced,
    });
  }
  summary.sweep = rows;
}

if (args.includes('--speed')) {
  const here = dirname(fileURLToPath(import.meta.url));
  const r = spawnSync(process.execPath, [...process.execArgv, join(here, 'detect.ts')], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '{}';
  summary.speed = JSON.parse(last);
  line('speed (bench/detect.ts)', last);
}
console.log(JSON.stringify(summary));
