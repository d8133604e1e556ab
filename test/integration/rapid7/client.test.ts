import { describe, expect, it } from 'vitest';
import { daysInRange } from '../../../src/days.js';
import { createLogger } from '../../../src/logger.js';
import { safeBaseUrl, serverWaitMs } from '../../../src/rapid7/client.js';
import { rejection } from '../../support/errors.js';
import { createCapturingLogger } from '../../support/logs.js';
import { API_KEY, buildData, createTestClient, logId, startSimulator } from '../../support/rapid7.js';

const DAYS = daysInRange('2026-03-08', '2026-03-14');

function sorted<T extends { day: string; logId: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (a.day + a.logId < b.day + b.logId ? -1 : 1));
}

describe('Rapid7 client against the simulator', () => {
  it('reads per-log usage in any order of days and logs, sending the key, the window and interval=day', async () => {
    const sim = await startSimulator({ data: buildData({ logs: 5, days: DAYS }), seed: 7 });
    const client = createTestClient(sim);
    const answer = await client.getLogUsage('2026-03-08', '2026-03-14');
    expect(answer.period).toEqual({ from: '2026-03-08', to: '2026-03-14' });
    const expected = DAYS.flatMap((day) =>
      [0, 1, 2, 3, 4].map((i) => ({ day, logId: logId(i), bytes: 1000 * (i + 1) + Number(day.slice(8)) })),
    );
    expect(sorted(answer.rows)).toEqual(sorted(expected));
    // The simulator shuffles: the answer order is not the sorted order, and the client does not depend on it.
    expect(answer.rows).not.toEqual(sorted(answer.rows));
    expect(sim.requests).toHaveLength(1);
    const req = sim.requests[0]!;
    expect(req.path).toBe('/usage/organizations/logs');
    expect(req.query).toEqual({ from: '2026-03-08', to: '2026-03-14', interval: 'day' });
    expect(req.authorized).toBe(true);
    expect(client.requestCount()).toBe(1);
  });

  it.each(['string', 'mixed'] as const)('accepts usage written as %s values', async (usageAs) => {
    const sim = await startSimulator({ data: buildData({ logs: 3, days: DAYS }), usageAs });
    const answer = await createTestClient(sim).getLogUsage('2026-03-08', '2026-03-14');
    expect(answer.rows).toHaveLength(21);
    for (const r of answer.rows) expect(typeof r.bytes).toBe('number');
    expect(answer.rows.find((r) => r.day === '2026-03-10' && r.logId === logId(2))?.bytes).toBe(3010);
  });

  it('reads organisation totals sorted by day and the log names with their log sets', async () => {
    const data = buildData({ logs: 3, days: DAYS });
    data.org = new Map([['2026-03-09', 999]]);
    data.logs.push({ id: 'gone', name: 'deleted-log', listed: false });
    const sim = await startSimulator({ data });
    const client = createTestClient(sim);
    const org = await client.getOrgUsage('2026-03-08', '2026-03-14');
    expect(org.map((o) => o.day)).toEqual(DAYS);
    expect(org.find((o) => o.day === '2026-03-09')?.bytes).toBe(999);
    expect(org.find((o) => o.day === '2026-03-10')?.bytes).toBe(1010 + 2010 + 3010);
    const m = await client.getManagementLogs();
    expect(m.hasNext).toBe(false);
    expect(m.logs.map((l) => l.id).sort()).toEqual([logId(0), logId(1), logId(2)]);
    expect(m.logs.find((l) => l.id === logId(1))).toEqual({
      id: logId(1),
      name: 'log-1',
      logsets: [{ id: 'set-security', name: 'Security' }],
      sourceType: 'token',
      platformManaged: false,
      retentionPeriod: 'default',
      tokenCount: 1,
    });
  });

  it('reads internal and platform-managed logs and repeated names as the real answers carry them', async () => {
    const data = buildData({ logs: 1, days: DAYS });
    data.logs.push(
      { id: 'web-access', name: 'Web Access Log', sourceType: 'internal', logsets: [{ id: 'int', name: 'Internal Logs' }] },
      { id: 'ea-1', name: 'Endpoint Agents', userData: { platform_managed: 'true' }, logsets: [{ id: 'va', name: 'Virus Alert' }] },
      {
        id: 'ea-2',
        name: 'Endpoint Agents',
        userData: { platform_managed: 'true' },
        logsets: [{ id: 'aa', name: 'Asset Authentication' }],
      },
    );
    const sim = await startSimulator({ data });
    const m = await createTestClient(sim).getManagementLogs();
    expect(m.hasNext).toBe(false);
    expect(m.logs.find((l) => l.id === 'web-access')).toMatchObject({ sourceType: 'internal', platformManaged: false, tokenCount: 0 });
    expect(m.logs.filter((l) => l.name === 'Endpoint Agents').map((l) => l.platformManaged)).toEqual([true, true]);
  });

  it('waits out a 429 with Retry-After, then succeeds', async () => {
    const sim = await startSimulator({ data: buildData({ logs: 2, days: DAYS }) });
    sim.inject({ status: 429, headers: { 'Retry-After': '1' } });
    const client = createTestClient(sim, { retryMaxWaitMs: 5_000 });
    const answer = await client.getLogUsage('2026-03-08', '2026-03-14');
    expect(answer.rows).toHaveLength(14);
    expect(sim.requests).toHaveLength(2);
    expect(sim.requests[1]!.at - sim.requests[0]!.at).toBeGreaterThanOrEqual(990);
    expect(client.requestCount()).toBe(2);
  });

  it('honours X-RateLimit-Reset when a 429 has no Retry-After, and caps any server wait', async () => {
    const sim = await startSimulator({ data: buildData({ logs: 2, days: DAYS }) });
    sim.inject({ status: 429, headers: { 'X-RateLimit-Reset': '1' } }, { status: 429, headers: { 'Retry-After': '86400' } });
    const client = createTestClient(sim, { retryMaxWaitMs: 1_500 });
    await client.getOrgUsage('2026-03-08', '2026-03-14');
    expect(sim.requests).toHaveLength(3);
    expect(sim.requests[1]!.at - sim.requests[0]!.at).toBeGreaterThanOrEqual(990);
    // A day-long Retry-After is capped at retryMaxWaitMs (1.5 s), so the test finishes.
    expect(sim.requests[2]!.at - sim.requests[1]!.at).toBeGreaterThanOrEqual(1_490);
  });

  it('backs off on 503 twice, then succeeds', async () => {
    const sim = await startSimulator({ data: buildData({ logs: 2, days: DAYS }) });
    sim.inject({ status: 503 }, { status: 503, body: '<html>Service Unavailable</html>' });
    const client = createTestClient(sim, { retryBaseMs: 40 });
    const answer = await client.getLogUsage('2026-03-08', '2026-03-14');
    expect(answer.rows).toHaveLength(14);
    expect(sim.requests).toHaveLength(3);
    // Exponential backoff: 40 ms, then 80 ms (at least).
    expect(sim.requests[1]!.at - sim.requests[0]!.at).toBeGreaterThanOrEqual(38);
    expect(sim.requests[2]!.at - sim.requests[1]!.at).toBeGreaterThanOrEqual(78);
  });

  it.each([
    ['an answer that never comes (timeout)', { delayMs: 2_000 }],
    ['a body trickled slower than the deadline', { slowBody: { chunkBytes: 4, intervalMs: 100 } }],
    ['a dropped connection', { destroy: true }],
    ['a body cut off mid-way', { truncateAt: 20 }],
  ])('retries after %s, then succeeds', async (_name, behaviour) => {
    const sim = await startSimulator({ data: buildData({ logs: 2, days: DAYS }) });
    sim.inject({ path: '/usage/organizations/logs', ...behaviour });
    const client = createTestClient(sim, { timeoutMs: 300 });
    const answer = await client.getLogUsage('2026-03-08', '2026-03-14');
    expect(answer.rows).toHaveLength(14);
    expect(sim.requests).toHaveLength(2);
    expect(sim.requests[0]!.injected).toBe(true);
    expect(client.requestCount()).toBe(2);
  });

  it.each([
    [{ status: 429 }, 'RAPID7_RATE_LIMITED', /429/],
    [{ status: 500 }, 'RAPID7_SERVER', /500/],
    [{ delayMs: 1_000 }, 'RAPID7_TIMEOUT', /within 200 ms/],
    [{ destroy: true }, 'RAPID7_NETWORK', /ECONNRESET|socket/],
    [{ truncateAt: 5 }, 'RAPID7_NETWORK', /dropped while reading/],
  ] as const)('gives up after the retries on %o with %s', async (behaviour, code, message) => {
    const sim = await startSimulator({ data: buildData({ logs: 1, days: DAYS }) });
    sim.inject(behaviour, behaviour, behaviour);
    const client = createTestClient(sim, { maxRetries: 2, timeoutMs: 200 });
    const err = await rejection(client.getLogUsage('2026-03-08', '2026-03-14'));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(sim.requests).toHaveLength(3);
    expect(err.message).not.toContain(API_KEY);
  });

  it('does not retry a 401 and names the key, the region and the base URL', async () => {
    const sim = await startSimulator({ data: buildData({ logs: 1, days: DAYS }) });
    const client = createTestClient(sim, { apiKey: 'wrong-key-123456' });
    const err = await rejection(client.getLogUsage('2026-03-08', '2026-03-14'));
    expect(err.code).toBe('RAPID7_UNAUTHORIZED');
    expect(err.message).toMatch(/RAPID7_API_KEY/);
    expect(err.message).toMatch(/RAPID7_REGION=us/);
    expect(err.message).toContain(`RAPID7_BASE_URL=${sim.url}`);
    expect(err.message).not.toContain('wrong-key-123456');
    expect(sim.requests).toHaveLength(1);
    expect(sim.requests[0]!.authorized).toBe(false);
  });

  it.each([
    [403, 'RAPID7_FORBIDDEN', /rights/],
    [404, 'RAPID7_NOT_FOUND', /region.*organisation.*RAPID7_BASE_URL.*platform keys work on the default base/],
    [400, 'RAPID7_HTTP', /HTTP 400/],
  ] as const)('does not retry a %i (%s)', async (status, code, message) => {
    const sim = await startSimulator({ data: buildData({ logs: 1, days: DAYS }) });
    sim.inject({ status }, { status });
    const client = createTestClient(sim);
    const err = await rejection(client.getLogUsage('2026-03-08', '2026-03-14'));
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    // The /log_search gateway is not confirmed for /usage (RAPID7-API.md): never suggested.
    expect(err.message).not.toMatch(/log_search/);
    expect(sim.requests).toHaveLength(1);
  });

  it('explains a usage window longer than Rapid7 allows', async () => {
    const sim = await startSimulator({ data: buildData({ logs: 1, days: DAYS }), maxWindowDays: 7, windowStatus: 404 });
    const err = await rejection(createTestClient(sim).getLogUsage('2026-02-13', '2026-03-14'));
    expect(err.code).toBe('RAPID7_NOT_FOUND');
    expect(err.message).toMatch(/2026-02-13…2026-03-14 is longer or older/);
  });

  it.each([
    ['not JSON', '{"per_day_usage": {"usage": [', /not JSON/],
    ['an empty body', '', /empty body/],
    ['the wrong shape', '{"usage": []}', /per_day_usage/],
    [
      'negative usage',
      '{"per_day_usage":{"usage":[{"interval":"2026-03-10","log_usage":[{"usage":-5,"id":"a"}]}],"usage_units":"bytes"}}',
      /non-negative/,
    ],
    [
      'non-numeric usage',
      '{"per_day_usage":{"usage":[{"interval":"2026-03-10","log_usage":[{"usage":"12 MB","id":"a"}]}],"usage_units":"bytes"}}',
      /numeric string/,
    ],
    [
      'other units',
      '{"per_day_usage":{"usage":[{"interval":"2026-03-10","log_usage":[{"usage":5,"id":"a"}]}],"usage_units":"KB"}}',
      /usage_units is "KB"/,
    ],
  ])('rejects %s whole, without retrying', async (_name, body, message) => {
    const sim = await startSimulator({ data: buildData({ logs: 1, days: DAYS }) });
    sim.inject({ body });
    const client = createTestClient(sim);
    const err = await rejection(client.getLogUsage('2026-03-08', '2026-03-14'));
    expect(err.code).toBe('RAPID7_MALFORMED');
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(/nothing of it was stored/);
    expect(sim.requests).toHaveLength(1);
  });

  it('never writes the key into a log line, whatever goes wrong', async () => {
    const sim = await startSimulator({ data: buildData({ logs: 2, days: DAYS }) });
    const { logger, logs } = createCapturingLogger();
    const client = createTestClient(sim, { logger, maxRetries: 1, timeoutMs: 150 });
    sim.inject({ status: 429, headers: { 'Retry-After': '0' } });
    await client.getLogUsage('2026-03-08', '2026-03-14');
    sim.inject({ status: 503 }, { delayMs: 500 }, { destroy: true }, { truncateAt: 3 });
    await rejection(client.getManagementLogs());
    await rejection(client.getOrgUsage('2026-03-08', '2026-03-14'));
    sim.inject({ status: 500 }, { status: 500 });
    await rejection(client.getOrgUsage('2026-03-08', '2026-03-14'));
    sim.setApiKey('rotated-key-000000');
    await rejection(client.getManagementLogs());
    expect(logs.lines.length).toBeGreaterThanOrEqual(8);
    expect(logs.text()).toContain('Rapid7 request failed; retrying');
    expect(logs.text()).toContain('RAPID7_UNAUTHORIZED');
    expect(logs.text()).not.toContain(API_KEY);
  });

  it('masks a known secret even if a caller logs it by mistake (defence in depth)', () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (l: string) => void lines.push(l) }, secrets: [API_KEY] });
    logger.info({ apiKey: API_KEY, nested: { headers: { 'x-api-key': API_KEY } }, text: `key=${API_KEY}` }, `oops ${API_KEY}`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(API_KEY);
    expect(lines[0]).toContain('[REDACTED]');
  });
});

describe('serverWaitMs', () => {
  const now = Date.parse('2026-03-15T08:00:00Z');
  it('reads seconds from Retry-After first, then X-RateLimit-Reset', () => {
    expect(serverWaitMs('3', '60', now)).toBe(3_000);
    expect(serverWaitMs(undefined, '60', now)).toBe(60_000);
    expect(serverWaitMs('', '2.5', now)).toBe(2_500);
  });
  it('reads an HTTP date in Retry-After', () => {
    expect(serverWaitMs('Sun, 15 Mar 2026 08:00:30 GMT', undefined, now)).toBe(30_000);
    expect(serverWaitMs('Sun, 15 Mar 2026 07:00:00 GMT', undefined, now)).toBe(0);
  });
  it('is undefined when neither header says anything usable', () => {
    expect(serverWaitMs(undefined, undefined, now)).toBeUndefined();
    expect(serverWaitMs('soon', 'later', now)).toBeUndefined();
  });
});

describe('safeBaseUrl', () => {
  it('drops credentials, query and trailing slashes from the base URL shown in messages', () => {
    expect(safeBaseUrl('https://user:pa55@proxy.example.com:8443/log_search/?token=abc')).toBe('https://proxy.example.com:8443/log_search');
    expect(safeBaseUrl('https://eu.rest.logs.insight.rapid7.com')).toBe('https://eu.rest.logs.insight.rapid7.com');
  });
});
