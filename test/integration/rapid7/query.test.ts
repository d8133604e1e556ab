/**
 * The Log Search query client against the simulator's query API over real HTTP (RAPID7-API.md "Log Search
 * queries"): every answer path, the limits, the deadline, and the key sent only to allowed hosts.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { addDays, type Day, daysInRange } from '../../../src/days.js';
import { analyseCause, buildCauseStatement, causeWindowMs, chooseGroupKey, describeCause } from '../../../src/detect/root-cause.js';
import { createSilentLogger } from '../../../src/logger.js';
import { createLogSearchClient, isAllowedPollUrl, type LogSearchClient } from '../../../src/rapid7/query.js';
import type { Rapid7Simulator } from '../../../src/rapid7/simulator.js';
import { rejection } from '../../support/errors.js';
import { API_KEY, buildData, logId, startSimulator } from '../../support/rapid7.js';

const D: Day = '2026-03-10';
const DAYS = daysInRange(addDays(D, -20), D);
const LOG = logId(0);
const GB = 1e9;

/** log-0: 30 GB a day over three hosts, 150 GB on D; the extra 120 GB came from web-17. */
async function world(): Promise<Rapid7Simulator> {
  const sim = await startSimulator({
    data: buildData({ logs: 2, days: DAYS, bytes: (i, day) => (i === 0 ? (day === D ? 150 * GB : 30 * GB) : 5 * GB) }),
  });
  sim.query.setHosts(LOG, ['web-03', 'Web-17', 'web-22']);
  sim.query.setCause(LOG, D, 'Web-17');
  return sim;
}

function client(sim: Rapid7Simulator, over: Partial<Parameters<typeof createLogSearchClient>[0]> = {}): LogSearchClient {
  return createLogSearchClient({
    baseUrl: sim.url,
    apiKey: API_KEY,
    timeoutMs: 2_000,
    logger: createSilentLogger(),
    pollStartMs: 2,
    pollMaxMs: 10,
    retryMaxWaitMs: 50,
    ...over,
  });
}

const far = () => Date.now() + 30_000;
const { fromMs, toMs } = causeWindowMs(D);

async function ask(c: LogSearchClient) {
  const key = chooseGroupKey(await c.topKeys(LOG, far()));
  expect(key).toBe('hostname');
  return c.groupBy(LOG, buildCauseStatement(key as string), fromMs, toMs, far());
}

describe('Log Search queries', () => {
  it('202, polls, then the result: the host that carried the spike, with its share', async () => {
    const sim = await world();
    const c = client(sim);
    const answer = await ask(c);
    expect(answer.exact).toBe(true);
    expect(answer.groups.map((g) => g.series.length)).toEqual([8, 8, 8]);
    const a = analyseCause(answer, 'hostname', 'up');
    expect(a?.contributors[0]?.value).toBe('Web-17');
    expect(a?.contributors[0]?.share).toBeCloseTo(0.8 + 0.2 / 3, 3);
    expect(describeCause(a!, '120 GB')).toBe('87 % of the extra 120 GB came from Web-17 (by hostname).');
    expect(c.counts()).toEqual({ topkeys: 1, submissions: 1, polls: 3 });
    const post = sim.requests.find((r) => r.method === 'POST');
    expect(post?.path).toBe('/query/logs');
    expect(sim.query.statements[0]).toBe('where(NOT "logusage-explain") groupby(hostname) calculate(bytes) timeslice(8)');
    expect(sim.requests.every((r) => r.authorized)).toBe(true);
  });

  it('a 200 on the first answer needs no poll', async () => {
    const sim = await world();
    sim.query.configure({ doneAtOnce: true });
    const c = client(sim);
    expect((await ask(c)).groups).toHaveLength(3);
    expect(c.counts().polls).toBe(0);
  });

  it('a poll that answers 200 with its Self link still present is still running', async () => {
    const sim = await world();
    sim.query.configure({ runningWith200: true, pollsBeforeDone: 1 });
    const c = client(sim);
    expect((await ask(c)).groups).toHaveLength(3);
    expect(c.counts().polls).toBe(3);
  });

  it('lower-case group values are shown as Log Search returns them', async () => {
    const sim = await world();
    sim.query.configure({ lowerCase: true });
    const a = analyseCause(await ask(client(sim)), 'hostname', 'up');
    expect(a?.contributors[0]?.value).toBe('web-17');
  });

  it('all_exact_result false marks the explanation approximate', async () => {
    const sim = await world();
    sim.query.configure({ approximate: true });
    const a = analyseCause(await ask(client(sim)), 'hostname', 'up');
    expect(a?.approximate).toBe(true);
    expect(describeCause(a!, '120 GB')).toMatch(/approximate/);
  });

  it('more values than the group limit: the rest counted in others, shares of the whole change', async () => {
    const sim = await world();
    sim.query.setHosts(LOG, ['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
    sim.query.setCause(LOG, D, 'h6');
    sim.query.configure({ groupLimit: 2 });
    const answer = await ask(client(sim));
    expect(answer.groups).toHaveLength(2);
    expect(answer.others).toHaveLength(8);
    const a = analyseCause(answer, 'hostname', 'up');
    expect(a?.contributors[0]?.value).toBe('h6');
    // h6 and one other value are returned; the other four are in `others`, and the shares are of the whole change.
    expect(a?.contributors[0]?.share).toBeCloseTo(0.8 + 0.2 / 6, 3);
    expect(a?.othersShare).toBeCloseTo((4 * 0.2) / 6, 3);
  });

  it('a 400 for bad LEQL fails with what Log Search said, and is not resubmitted', async () => {
    const sim = await world();
    sim.query.configure({
      failSubmit: { status: 400, body: '{"errorCode":101011,"message":"Invalid Query Syntax: the query entered is invalid"}' },
    });
    const c = client(sim);
    const e = await rejection(c.groupBy(LOG, 'groupby(', fromMs, toMs, far()));
    expect(e.code).toBe('RAPID7_HTTP');
    expect(e.message).toMatch(/Invalid Query Syntax/);
    expect(c.counts().submissions).toBe(1);
  });

  it('a 429 while polling: waits, submits again, then finishes', async () => {
    const sim = await world();
    sim.query.configure({ failPoll: { status: 429, headers: { 'X-RateLimit-Reset': '0' } } });
    const c = client(sim);
    expect((await ask(c)).groups).toHaveLength(3);
    expect(c.counts().submissions).toBe(2);
  });

  it('a 404 for a stale query id: submits again', async () => {
    const sim = await world();
    sim.query.configure({ failPoll: { status: 404 } });
    const c = client(sim);
    expect((await ask(c)).groups).toHaveLength(3);
    expect(c.counts().submissions).toBe(2);
  });

  it('a poll link to a foreign host is refused and the key is never sent there', async () => {
    const seen: IncomingMessage[] = [];
    const foreign = createServer((req, res) => {
      seen.push(req);
      res.end('{}');
    });
    await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', () => r()));
    try {
      const sim = await world();
      sim.query.configure({ pollOrigin: `http://127.0.0.1:${(foreign.address() as AddressInfo).port}` });
      const e = await rejection(ask(client(sim)));
      expect(e.code).toBe('RAPID7_MALFORMED');
      expect(e.message).toMatch(/the API key was not sent there/);
      expect(e.message).not.toContain(API_KEY);
      expect(seen).toHaveLength(0);
    } finally {
      await new Promise<void>((r) => foreign.close(() => r()));
    }
  });

  it('only https to the base origin or *.rapid7.com, and http only on the loopback base itself', () => {
    const base = 'https://eu.rest.logs.insight.rapid7.com';
    expect(isAllowedPollUrl('https://eu.rest.logs.insight.rapid7.com/query/x', base)).toBe(true);
    expect(isAllowedPollUrl('https://us.api.insight.rapid7.com/log_search/query/x', base)).toBe(true);
    expect(isAllowedPollUrl('http://eu.rest.logs.insight.rapid7.com/query/x', base)).toBe(false);
    expect(isAllowedPollUrl('https://rapid7.com.evil.example/query/x', base)).toBe(false);
    expect(isAllowedPollUrl('https://evilrapid7.com/query/x', base)).toBe(false);
    expect(isAllowedPollUrl('https://user:pw@eu.rest.logs.insight.rapid7.com/q', base)).toBe(false);
    expect(isAllowedPollUrl('http://127.0.0.1:4000/query/x', 'http://127.0.0.1:4000')).toBe(true);
    expect(isAllowedPollUrl('http://127.0.0.1:4001/query/x', 'http://127.0.0.1:4000')).toBe(false);
    expect(isAllowedPollUrl('http://proxy.internal/query/x', 'http://proxy.internal')).toBe(false);
    expect(isAllowedPollUrl('not a url', base)).toBe(false);
  });

  it('a hung query ends at the deadline', async () => {
    const sim = await world();
    sim.query.configure({ hang: true });
    const c = client(sim);
    const e = await rejection(c.groupBy(LOG, buildCauseStatement('hostname'), fromMs, toMs, Date.now() + 300));
    expect(e.code).toBe('RAPID7_TIMEOUT');
    expect(c.counts().polls).toBeGreaterThan(0);
  });

  it('the per-run bounds stop submissions and polls; the simulator enforces the 15-minute limits', async () => {
    const sim = await world();
    const c = client(sim, { maxSubmissions: 1 });
    await ask(c);
    expect((await rejection(ask(c))).code).toBe('RAPID7_RATE_LIMITED');
    sim.query.configure({ limits: { submissions: 0 } });
    const e = await rejection(client(sim, { maxResubmits: 0 }).groupBy(LOG, buildCauseStatement('hostname'), fromMs, toMs, far()));
    expect(e.code).toBe('RAPID7_RATE_LIMITED');
  });

  it('the query API down: a clear failure, no retry storm', async () => {
    const sim = await world();
    sim.query.configure({ down: true });
    const c = client(sim);
    expect((await rejection(c.topKeys(LOG, far()))).code).toBe('RAPID7_SERVER');
    expect((await rejection(c.groupBy(LOG, buildCauseStatement('hostname'), fromMs, toMs, far()))).code).toBe('RAPID7_SERVER');
    expect(c.counts().submissions).toBe(3);
  });

  it('GET submission is answered like POST', async () => {
    const sim = await world();
    const res = await fetch(
      `${sim.url}/query/logs/${LOG}?query=${encodeURIComponent(buildCauseStatement('hostname'))}&from=${fromMs}&to=${toMs}`,
      {
        headers: { 'x-api-key': API_KEY },
      },
    );
    expect(res.status).toBe(202);
    const body = (await res.json()) as { links: Array<{ rel: string; href: string }> };
    expect(body.links[0]?.rel).toBe('Self');
    expect(body.links[0]?.href.startsWith(sim.url)).toBe(true);
  });
});
