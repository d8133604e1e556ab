import { describe, expect, it } from 'vitest';
import { daysInRange } from '../../../src/days.js';
import { createRapid7Simulator } from '../../../src/rapid7/simulator.js';
import { API_KEY, buildData, logId, startSimulator } from '../../support/rapid7.js';

const WEEK = daysInRange('2026-03-08', '2026-03-14');

interface LogUsageBody {
  per_day_usage: {
    usage: Array<{ interval: string; log_usage: Array<{ usage: number | string; id: string }> }>;
    period: { from: string; to: string };
    usage_units: string;
    report_interval: string;
  };
}
interface DayUsage {
  usage: number | string;
  day: string;
}
interface OrgBody {
  daily_usage: DayUsage[];
  period_usage: number;
  period: { from: string; to: string };
  id: string;
  name: string;
}
interface LogBody {
  usage: { id: string; daily_usage: DayUsage[] };
}
interface ManagementBody {
  logs: Array<{ id: string; name: string; source_type: string; logsets_info: Array<{ id: string; name: string; rrn: string }> }>;
}
/** Any answer body: the parsed JSON of one of the shapes above, an error `{message}`, or opaque text. */
type Body = LogUsageBody & OrgBody & LogBody & ManagementBody & { message: string; extra?: boolean };

async function get(url: string, key: string | null = API_KEY): Promise<{ status: number; headers: Headers; body: Body }> {
  const res = await fetch(url, { headers: key === null ? {} : { 'x-api-key': key } });
  const text = await res.text();
  let body = text as unknown as Body;
  try {
    body = JSON.parse(text) as Body;
  } catch {
    // opaque text
  }
  return { status: res.status, headers: res.headers, body };
}

describe('Rapid7 simulator', () => {
  it('answers per-log usage as RAPID7-API.md documents it', async () => {
    const data = buildData({
      logs: 3,
      days: WEEK,
      bytes: (i, d) => (d === '2026-03-10' || (i === 1 && d === '2026-03-12') ? undefined : i + 1),
    });
    const sim = await startSimulator({ data });
    const r = await get(`${sim.url}/usage/organizations/logs?from=2026-03-08&to=2026-03-14&interval=day`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    const p = r.body.per_day_usage;
    expect(p.period).toEqual({ from: '2026-03-08', to: '2026-03-14' });
    expect(p.usage_units).toBe('bytes');
    expect(p.report_interval).toBe('day');
    // A day without any data is absent; a log without data on a day is absent from that day.
    expect(p.usage.map((d) => d.interval).sort()).toEqual(WEEK.filter((d) => d !== '2026-03-10'));
    const d12 = p.usage.find((d) => d.interval === '2026-03-12');
    expect(d12!.log_usage.map((u) => u.id).sort()).toEqual([logId(0), logId(2)]);
    expect(d12!.log_usage.find((u) => u.id === logId(2))!.usage).toBe(3);
  });

  it('shuffles days and logs, the same way for the same seed', async () => {
    const data = buildData({ logs: 20, days: WEEK });
    const url = '/usage/organizations/logs?from=2026-03-08&to=2026-03-14';
    const a = (await get(`${(await startSimulator({ data, seed: 5 })).url}${url}`)).body;
    const b = (await get(`${(await startSimulator({ data, seed: 5 })).url}${url}`)).body;
    expect(a).toEqual(b);
    const days = a.per_day_usage.usage.map((d) => d.interval);
    expect(days).not.toEqual([...days].sort());
    const ids = a.per_day_usage.usage[0]!.log_usage.map((u) => u.id);
    expect(ids).not.toEqual([...ids].sort());
  });

  it('writes usage as strings when asked', async () => {
    const sim = await startSimulator({ data: buildData({ logs: 2, days: WEEK }), usageAs: 'string' });
    const r = await get(`${sim.url}/usage/organizations/logs?from=2026-03-14&to=2026-03-14`);
    for (const u of r.body.per_day_usage.usage[0]!.log_usage) expect(typeof u.usage).toBe('string');
    const o = await get(`${sim.url}/usage/organizations?from=2026-03-14&to=2026-03-14`);
    expect(o.body.daily_usage[0]!.usage).toBe(String(1014 + 2014));
  });

  it('answers organisation totals from the per-log data unless given, with the period total', async () => {
    const data = buildData({ logs: 2, days: WEEK });
    data.org = new Map([['2026-03-01', 50]]);
    const sim = await startSimulator({ data, organization: { id: 'org-1', name: 'Acme' } });
    const r = await get(`${sim.url}/usage/organizations?from=2026-03-01&to=2026-03-09`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: 'org-1', name: 'Acme', period: { from: '2026-03-01', to: '2026-03-09' } });
    const byDay = Object.fromEntries(r.body.daily_usage.map((d) => [d.day, d.usage]));
    expect(byDay).toEqual({ '2026-03-01': 50, '2026-03-08': 1008 + 2008, '2026-03-09': 1009 + 2009 });
    expect(r.body.period_usage).toBe(50 + 3016 + 3018);
  });

  it('lists logs with their log sets, leaving deleted logs out', async () => {
    const data = buildData({ logs: 2, days: WEEK });
    data.logs.push({ id: 'gone', name: 'old', listed: false });
    const sim = await startSimulator({ data });
    const r = await get(`${sim.url}/management/logs`);
    expect(r.body.logs.map((l) => l.id).sort()).toEqual([logId(0), logId(1)]);
    const l0 = r.body.logs.find((l) => l.id === logId(0));
    expect(l0).toMatchObject({ name: 'log-0', source_type: 'token', logsets_info: [{ id: 'set-web', name: 'Web' }] });
    expect(l0!.logsets_info[0]!.rrn).toMatch(/^rrn:/);
  });

  it('answers one log, usage as strings, and 404 for an unknown log', async () => {
    const sim = await startSimulator({ data: buildData({ logs: 2, days: WEEK }) });
    const r = await get(`${sim.url}/usage/organizations/logs/${logId(1)}?from=2026-03-13&to=2026-03-14`);
    expect(r.body.usage.id).toBe(logId(1));
    expect(r.body.usage.daily_usage.sort((a, b) => (a.day < b.day ? -1 : 1))).toEqual([
      { usage: '2013', day: '2026-03-13' },
      { usage: '2014', day: '2026-03-14' },
    ]);
    expect((await get(`${sim.url}/usage/organizations/logs/nope?from=2026-03-13&to=2026-03-14`)).status).toBe(404);
  });

  it('refuses a wrong or missing key with 401 and never records the key', async () => {
    const sim = await startSimulator({ data: buildData({ logs: 1, days: WEEK }) });
    expect((await get(`${sim.url}/management/logs`, 'wrong')).status).toBe(401);
    expect((await get(`${sim.url}/management/logs`, null)).status).toBe(401);
    expect((await get(`${sim.url}/management/logs`)).status).toBe(200);
    expect(sim.requests.map((q) => q.authorized)).toEqual([false, false, true]);
    expect(sim.requests[2]!.headers['x-api-key']).toBe('[REDACTED]');
    expect(JSON.stringify(sim.requests)).not.toContain(API_KEY);
    sim.setApiKey('new-key');
    expect((await get(`${sim.url}/management/logs`)).status).toBe(401);
    expect((await get(`${sim.url}/management/logs`, 'new-key')).status).toBe(200);
  });

  it.each([
    ['/usage/organizations/logs', 400],
    ['/usage/organizations/logs?from=2026-03-08', 400],
    ['/usage/organizations/logs?from=2026-03-09&to=2026-03-08', 400],
    ['/usage/organizations/logs?from=2026-03-08&to=2026-02-30', 400],
    ['/usage/organizations/logs?from=2026-03-08&to=2026-03-09&interval=hour', 400],
    ['/usage/organizations/logs?from=2026-03-08&to=2026-03-09&time_range=last%207%20days', 400],
    ['/usage/organizations?to=2026-03-09', 400],
    ['/usage/nothing', 404],
    ['/query/logs', 404],
  ])('answers %s with %i', async (path, status) => {
    const sim = await startSimulator({ data: buildData({ logs: 1, days: WEEK }) });
    const r = await get(`${sim.url}${path}`);
    expect(r.status).toBe(status);
    expect(typeof r.body.message).toBe('string');
  });

  it('refuses methods other than GET', async () => {
    const sim = await startSimulator();
    const res = await fetch(`${sim.url}/management/logs`, { method: 'POST', headers: { 'x-api-key': API_KEY } });
    expect(res.status).toBe(405);
  });

  it.each([
    [7, 400],
    [30, 404],
  ] as const)('refuses a per-log window longer than %i days with %i', async (maxWindowDays, windowStatus) => {
    const sim = await startSimulator({ data: buildData({ logs: 1, days: WEEK }), maxWindowDays, windowStatus });
    const ok = daysInRange('2026-01-01', '2026-03-14').at(-maxWindowDays)!;
    expect((await get(`${sim.url}/usage/organizations/logs?from=${ok}&to=2026-03-14`)).status).toBe(200);
    const tooLong = await get(`${sim.url}/usage/organizations/logs?from=2026-01-01&to=2026-03-14`);
    expect(tooLong.status).toBe(windowStatus);
    expect(tooLong.body.message).toMatch(new RegExp(`at most ${maxWindowDays} days`));
    // Organisation totals have no limit.
    expect((await get(`${sim.url}/usage/organizations?from=2025-01-01&to=2026-03-14`)).status).toBe(200);
  });

  it('carries rate-limit headers and answers 429 with Retry-After past the limit, per endpoint group', async () => {
    let now = Date.parse('2026-03-15T08:00:00Z');
    const sim = await startSimulator({
      data: buildData({ logs: 1, days: WEEK }),
      rateLimit: { usage: 2, management: 3, windowMs: 60_000 },
      nowMs: () => now,
    });
    const u = `${sim.url}/usage/organizations?from=2026-03-14&to=2026-03-14`;
    const a = await get(u);
    expect([a.headers.get('x-ratelimit-limit'), a.headers.get('x-ratelimit-remaining'), a.headers.get('x-ratelimit-reset')]).toEqual([
      '2',
      '1',
      '60',
    ]);
    now += 15_000;
    expect((await get(u)).headers.get('x-ratelimit-remaining')).toBe('0');
    const limited = await get(u);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('45');
    expect(limited.headers.get('x-ratelimit-reset')).toBe('45');
    // The management group has its own budget.
    expect((await get(`${sim.url}/management/logs`)).headers.get('x-ratelimit-remaining')).toBe('2');
    now += 45_000;
    expect((await get(u)).status).toBe(200);
  });

  it('plays injected behaviours in order, for matching paths only, and records them', async () => {
    const sim = await startSimulator({ data: buildData({ logs: 1, days: WEEK }) });
    sim.inject(
      { path: '/management/logs', status: 503, headers: { 'Retry-After': '7' }, body: 'busy' },
      { body: (normal) => ({ ...(normal as object), extra: true }) },
      { body: '{"broken": ' },
    );
    expect(sim.pendingBehaviours()).toBe(3);
    const org = await get(`${sim.url}/usage/organizations?from=2026-03-14&to=2026-03-14`);
    expect(org.status).toBe(200);
    expect(org.body.extra).toBe(true);
    const m = await get(`${sim.url}/management/logs`);
    expect([m.status, m.headers.get('retry-after'), m.body]).toEqual([503, '7', 'busy']);
    expect((await get(`${sim.url}/management/logs`)).body).toBe('{"broken": ');
    expect(sim.pendingBehaviours()).toBe(0);
    expect(sim.requests.map((q) => q.injected)).toEqual([true, true, true]);
    expect((await get(`${sim.url}/management/logs`)).status).toBe(200);
  });

  it('can drop the connection, cut the body, trickle it, or wait', async () => {
    const sim = await startSimulator({ data: buildData({ logs: 3, days: WEEK }) });
    const url = `${sim.url}/management/logs`;
    sim.inject({ destroy: true });
    await expect(fetch(url, { headers: { 'x-api-key': API_KEY } })).rejects.toThrow();
    sim.inject({ truncateAt: 10 });
    const cut = await fetch(url, { headers: { 'x-api-key': API_KEY } });
    expect(Number(cut.headers.get('content-length'))).toBeGreaterThan(10);
    await expect(cut.text()).rejects.toThrow();
    sim.inject({ slowBody: { chunkBytes: 400, intervalMs: 20 } });
    const slow = await get(url);
    expect(slow.body.logs).toHaveLength(3);
    sim.inject({ delayMs: 60 });
    const t = Date.now();
    expect((await get(url)).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(55);
  });

  it('reflects changes to its data between calls', async () => {
    const sim = await startSimulator({ data: buildData({ logs: 1, days: WEEK }) });
    sim.setUsage('2026-03-14', 'new-log', 99);
    sim.setUsage('2026-03-14', logId(0), undefined);
    const r = await get(`${sim.url}/usage/organizations/logs?from=2026-03-14&to=2026-03-14`);
    expect(r.body.per_day_usage.usage[0]!.log_usage).toEqual([{ usage: 99, id: 'new-log' }]);
    sim.setUsage('2026-03-20', 'new-log', 5);
    expect(sim.data.usage.get('2026-03-20')?.get('new-log')).toBe(5);
  });

  it('closes promptly with a request still waiting, and can be started again', async () => {
    const sim = createRapid7Simulator({ apiKey: API_KEY });
    const { url } = await sim.start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    sim.inject({ delayMs: 60_000 });
    const pending = fetch(`${url}/management/logs`, { headers: { 'x-api-key': API_KEY } }).catch((e: unknown) => e);
    while (sim.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const t = Date.now();
    await sim.close();
    expect(Date.now() - t).toBeLessThan(5_000);
    expect(await pending).toBeInstanceOf(Error);
    const again = await sim.start();
    expect((await get(`${again.url}/management/logs`)).status).toBe(200);
    await sim.close();
  });
});
