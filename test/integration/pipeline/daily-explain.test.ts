/**
 * The cause inside a log in the daily run (SPEC §6.6, §7): the alert goes out first with its money, then the
 * explanation as a reply in its thread; a Log Search that is down costs the explanations only (logged once),
 * never an alert; a second run of the day asks nothing again.
 */
import { describe, expect, it } from 'vitest';
import { addDays, type Day, daysInRange } from '../../../src/days.js';
import { createLogSearchClient } from '../../../src/rapid7/query.js';
import { runExplainCommand } from '../../../src/slack/explain-command.js';
import { getExplanation } from '../../../src/store/explanations.js';
import { setPrice } from '../../../src/store/price.js';
import { getLog } from '../../../src/store/usage.js';
import { createTestCli } from '../../support/cli.js';
import { ALERTS, type DailyHarness, startDailyHarness } from '../../support/daily-harness.js';
import { createCapturingLogger } from '../../support/logs.js';
import { API_KEY, buildData, logId } from '../../support/rapid7.js';

const D: Day = '2026-03-10';
const GB = 1e9;
const SPIKY = logId(0);

async function harness(): Promise<DailyHarness> {
  const days = daysInRange(addDays(D, -34), D);
  const h = await startDailyHarness({
    data: buildData({
      logs: 4,
      days,
      bytes: (i, day) => (i === 0 ? (day === D ? 150 * GB : 30 * GB) : (i + 1) * GB + Number(day.slice(8, 10)) * 1e6),
    }),
    settings: { rootCause: true },
  });
  h.sim.query.setHosts(SPIKY, ['web-03', 'web-17', 'web-22']);
  h.sim.query.setCause(SPIKY, D, 'web-17');
  setPrice(h.db, { perGb: 0.35, currency: 'USD' }, { actor: 'U0ADMIN01', at: '2026-03-01T00:00:00.000Z' });
  return h;
}

/** Root causes on, with a Log Search client polling fast (the simulator answers at once). */
const withCauses = (h: DailyHarness, extra: Record<string, unknown> = {}) => ({
  settings: { ...h.settings, rootCause: true },
  logSearch: logSearch(h),
  ...extra,
});

const logSearch = (h: DailyHarness) => () =>
  createLogSearchClient({ baseUrl: h.sim.url, apiKey: API_KEY, timeoutMs: 10_000, logger: h.deps().logger, pollStartMs: 2, pollMaxMs: 10 });

describe('root cause in the daily run', () => {
  it('posts the alert with its money, then the host that carried it in the thread', async () => {
    const h = await harness();
    const r = await h.runDay(D, withCauses(h));
    expect(r.findings.find((f) => f.logId === SPIKY)).toMatchObject({ kind: 'spike', changeMoney: 42 });
    expect(r.explain).toMatchObject({ explained: 1, failed: 0, counts: { topkeys: 1, submissions: 1 } });
    const alert = h.slack.messages.find((m) => m.channel === ALERTS && !m.threadTs && (m.text ?? '').includes('log-0'));
    expect(alert?.text).toContain('(+120 GB: +$42 today) 87 % of the extra 120 GB came from web-17 (by hostname).');
    expect(alert?.updates).toBe(1);
    expect(JSON.stringify(alert?.blocks)).toContain(':mag: 87 % of the extra 120 GB came from web-17 (by hostname).');
    const reply = h.slack.messages.find((m) => m.threadTs === alert?.ts && (m.text ?? '').includes('Where it came from'));
    expect(reply?.text).toContain('87 % of the extra 120 GB came from web-17 (by hostname).');
    expect(JSON.stringify(reply?.blocks)).toContain('came from *web-17*');
    expect(getExplanation(h.db, SPIKY, D)?.status).toBe('ok');

    // The same day again: nothing asked, nothing posted twice.
    const before = h.sim.query.counts();
    const again = await h.runDay(D, withCauses(h));
    expect(again.explain).toMatchObject({ explained: 0, skipped: 0 });
    expect(h.sim.query.counts()).toEqual(before);
    expect(h.slack.messages.filter((m) => (m.text ?? '').includes('Where it came from'))).toHaveLength(1);
  });

  it('the query API down for the whole run: the alerts still go out, the failure is logged once', async () => {
    const h = await harness();
    h.sim.query.configure({ down: true });
    const { logger, logs } = createCapturingLogger();
    const r = await h.runDay(D, withCauses(h, { logger }));
    expect(r.explain).toMatchObject({ explained: 0, failed: 1 });
    expect(h.slack.messages.some((m) => m.channel === ALERTS && !m.threadTs && (m.text ?? '').includes('log-0'))).toBe(true);
    expect(h.slack.messages.some((m) => (m.text ?? '').includes('Where it came from'))).toBe(false);
    const lines = logs.records().filter((l) => String(l.msg).includes('Log Search is unavailable'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ code: 'RAPID7_SERVER' });
    expect(logs.text()).not.toContain(API_KEY);
  });

  it('ROOT_CAUSE off: no query at all', async () => {
    const h = await harness();
    const r = await h.runDay(D, withCauses(h, { settings: { ...h.settings, rootCause: false } }));
    expect(r.explain).toBeNull();
    expect(h.sim.query.counts()).toEqual({ topkeys: 0, submissions: 0, polls: 0 });
  });

  it('logusage explain asks Log Search live; /logusage explain shows a stored explanation, or says why there is none', async () => {
    const h = await harness();
    // The day's run asks nothing of Log Search here: the causes are asked live below.
    await h.runDay(D, { logSearch: null });
    expect(h.sim.query.counts().submissions).toBe(0);
    const cli = createTestCli({
      env: { DATABASE_PATH: h.dbPath, RAPID7_API_KEY: API_KEY, RAPID7_BASE_URL: h.sim.url },
      now: new Date(`${addDays(D, 1)}T08:00:00Z`),
    });
    expect(await cli.run('explain', 'log-0', '--day', D)).toBe(0);
    expect(cli.out()).toContain(`log-0 on ${D}: 87 % of the extra 120 GB came from web-17 (by hostname).`);
    expect(h.sim.query.counts().submissions).toBe(1);
    const log = getLog(h.db, SPIKY);
    if (!log) throw new Error('log-0 is stored');
    const stored = await runExplainCommand(h.db, log, D, undefined);
    expect(stored.text).toContain('came from web-17');
    const none = await runExplainCommand(h.db, log, addDays(D, -1), undefined);
    expect(none.text).toContain('Log Search cannot be asked from here');
    cli.reset();
    expect(await cli.run('explain', 'no-such-log')).toBe(2);
    expect(cli.err()).toMatch(/No single log is "no-such-log"/);
  });
});
