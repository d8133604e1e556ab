/**
 * GET /metrics (SPEC §10): a real daily run (simulated Rapid7, fake Slack) fills the store and the
 * counters, then `runServe` answers a scrape over HTTP in HTTP mode and in Socket Mode. Every line is
 * checked against the text exposition format 0.0.4, with a log whose name holds a quote, a backslash and
 * a line feed.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startServe } from '../../../src/commands/serve.js';
import { runDaily } from '../../../src/daily.js';
import { addDays, daysInRange } from '../../../src/days.js';
import { createSilentLogger } from '../../../src/logger.js';
import { type AppContext, createContext, createDailyDeps } from '../../../src/main.js';
import { CALL_ONCE, type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { API_KEY, buildData, logId, startSimulator } from '../../support/rapid7.js';
import { tempDbPath } from '../../support/tmp.js';

const HOSTILE = 'evil "log" \\ with\nnewline';
const HOSTILE_SET = 'Set, "quoted"';
const DAY = '2026-03-10';
const NOW = new Date('2026-03-11T06:30:00.000Z');

let fake: FakeSlack | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** One exposition line: a comment (HELP/TYPE), or a sample `name{labels} value`. */
const HELP = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (?:[^\\\n]|\\\\|\\n)*$/;
const TYPE = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/;
const LABEL_VALUE = String.raw`"(?:[^"\\\n]|\\\\|\\"|\\n)*"`;
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*=${LABEL_VALUE}`;
const SAMPLE = new RegExp(
  String.raw`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(${LABEL}(?:,${LABEL})*)?\})? (NaN|[+-]Inf|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$`,
);

interface Parsed {
  types: Map<string, string>;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

/** Parses the exposition text, failing on any line that is not in the format. */
function parseExposition(text: string): Parsed {
  expect(text.endsWith('\n')).toBe(true);
  const types = new Map<string, string>();
  const helped = new Set<string>();
  const samples: Parsed['samples'] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    const h = HELP.exec(line);
    if (h) {
      helped.add(h[1] as string);
      continue;
    }
    const t = TYPE.exec(line);
    if (t) {
      expect(types.has(t[1] as string), `TYPE of ${t[1]} twice`).toBe(false);
      types.set(t[1] as string, t[2] as string);
      continue;
    }
    const s = SAMPLE.exec(line);
    expect(s, `not an exposition line: ${JSON.stringify(line)}`).not.toBeNull();
    const name = (s as RegExpExecArray)[1] as string;
    expect(types.has(name), `sample of ${name} before its TYPE`).toBe(true);
    expect(helped.has(name), `sample of ${name} without HELP`).toBe(true);
    const labels: Record<string, string> = {};
    for (const m of ((s as RegExpExecArray)[2] ?? '').matchAll(new RegExp(`([a-zA-Z_][a-zA-Z0-9_]*)=(${LABEL_VALUE})`, 'g'))) {
      labels[m[1] as string] = (m[2] as string).slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name, labels, value: Number((s as RegExpExecArray)[3]) });
  }
  for (const name of types.keys()) expect(helped.has(name), `${name} has no HELP`).toBe(true);
  return { types, samples };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function seededContext(slackApiUrl: string, extra: Record<string, string>): Promise<AppContext> {
  const days = daysInRange(addDays(DAY, -39), DAY);
  const data = buildData({ logs: 3, days, bytes: (i, d) => (i + 1) * 1e9 + Number(d.slice(8, 10)) * 1e6 });
  const first = data.logs[0];
  if (first) {
    first.name = HOSTILE;
    first.logsets = [{ id: 'set-x', name: HOSTILE_SET }];
  }
  const sim = await startSimulator({ data });
  const ctx = createContext(
    {
      DATABASE_PATH: tempDbPath(),
      RAPID7_API_KEY: API_KEY,
      RAPID7_BASE_URL: sim.url,
      SLACK_BOT_TOKEN: 'xoxb-metrics-token',
      SLACK_API_URL: slackApiUrl,
      SLACK_ALERT_CHANNEL: 'C0ALERTS1',
      MONTHLY_BUDGET: '2TB',
      ...extra,
    },
    { logger: createSilentLogger(), now: () => NOW },
  );
  // The daily run collects (30 days on an empty database), judges the day and delivers the digest.
  await runDaily({ ...createDailyDeps(ctx, { dryRun: false }), outbox: { paceMs: 0, sleep: async () => {} } }, { day: DAY });
  return ctx;
}

async function scrape(ctx: AppContext, port?: number): Promise<{ status: number; type: string | null; text: string }> {
  const serve = await startServe(ctx, { port: port ?? 0, appDeps: { clientOptions: CALL_ONCE } });
  try {
    const res = await fetch(`http://127.0.0.1:${serve.port ?? port}/metrics`);
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  } finally {
    await serve.stop();
  }
}

function checkReport(p: Parsed): void {
  const one = (name: string, labels: Record<string, string> = {}) =>
    p.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  const logs = one('logusage_log_bytes');
  expect(logs).toHaveLength(3);
  const hostile = logs.find((s) => s.labels.log_id === logId(0));
  expect(hostile?.labels).toEqual({ log_id: logId(0), log_name: HOSTILE, logset: HOSTILE_SET });
  expect(hostile?.value).toBe(1e9 + 10e6);
  expect(one('logusage_log_bytes', { log_id: logId(2) })[0]?.value).toBe(3e9 + 10e6);
  expect(p.types.get('logusage_log_bytes')).toBe('gauge');
  expect(one('logusage_latest_day_timestamp_seconds')[0]?.value).toBe(Date.parse(`${DAY}T00:00:00Z`) / 1000);
  expect(one('logusage_budget_bytes')[0]?.value).toBe(2e12);
  expect(one('logusage_org_bytes')[0]?.value).toBeGreaterThan(0);
  expect(one('logusage_org_expected_bytes')[0]?.value).toBeGreaterThan(0);
  const mtd = one('logusage_month_to_date_bytes')[0]?.value ?? 0;
  expect(mtd).toBeGreaterThan(0);
  expect(one('logusage_month_projected_bytes')[0]?.value).toBeGreaterThan(mtd);
  expect(one('logusage_open_alerts', { kind: 'spike' })).toHaveLength(1);
  expect(one('logusage_daily_run_status', { status: 'ok' })[0]?.value).toBe(1);
  expect(one('logusage_daily_run_status', { status: 'failed' })[0]?.value).toBe(0);
  expect(one('logusage_daily_run_duration_seconds')[0]?.value).toBeGreaterThanOrEqual(0);
  expect(one('logusage_daily_run_finished_timestamp_seconds')[0]?.value).toBe(NOW.getTime() / 1000);
  expect(one('logusage_outbox_pending_messages')[0]?.value).toBe(0);
  // One collection (three requests side by side), none failed; the digest and its chart were delivered.
  const requests = one('logusage_rapid7_requests_total');
  expect(requests.map((s) => s.value)).toEqual([1, 1, 1]);
  expect(new Set(requests.map((s) => s.labels.endpoint))).toEqual(
    new Set(['/usage/organizations/logs', '/usage/organizations', '/management/logs']),
  );
  expect(p.types.get('logusage_rapid7_requests_total')).toBe('counter');
  expect(one('logusage_rapid7_errors_total')).toHaveLength(0);
  expect(one('logusage_slack_sends_total', { outcome: 'sent' })[0]?.value).toBeGreaterThanOrEqual(2);
  expect(one('logusage_slack_retries_total')[0]?.value).toBe(0);
}

describe('GET /metrics', () => {
  it('answers the text exposition format in HTTP mode, one series per log, names escaped', async () => {
    fake = await startFakeSlack({ token: 'xoxb-metrics-token' });
    const ctx = await seededContext(fake.apiUrl, { SLACK_SIGNING_SECRET: 'metrics-signing-secret' });
    try {
      const r = await scrape(ctx);
      expect(r.status).toBe(200);
      expect(r.type).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(r.text).toContain(String.raw`log_name="evil \"log\" \\ with\nnewline"`);
      checkReport(parseExposition(r.text));
    } finally {
      ctx.close();
    }
  });

  it('answers the same on PORT in Socket Mode', async () => {
    fake = await startFakeSlack();
    const ctx = await seededContext(fake.apiUrl, { SLACK_APP_TOKEN: 'xapp-metrics-token' });
    try {
      const r = await scrape(ctx, await freePort());
      expect(r.status).toBe(200);
      checkReport(parseExposition(r.text));
    } finally {
      ctx.close();
    }
  });
});
