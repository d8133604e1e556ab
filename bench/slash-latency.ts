/**
 * Slash command latency: p99 time to the HTTP answer of a signed `/logusage summary` at 50 concurrent
 * connections (autocannon, loopback, bounded by duration), with 10,000 logs × 90 days stored, printed
 * beside a bare Bolt app in the same process and run that acks every `/logusage` with a constant.
 * Both apps verify signatures; ours also answers each summary through response_url (to a local sink).
 *
 *   npx tsx bench/slash-latency.ts [--logs 10000] [--days 90] [--seconds 10] [--connections 50]
 *
 * Target (docs/benchmarks.md): our p99 within 1.5× the bare app's p99.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, LogLevel } from '@slack/bolt';
import { readSettings } from '../src/config.js';
import { addDays, daysInRange, weekdayOf } from '../src/days.js';
import { createSilentLogger } from '../src/logger.js';
import { createSlackApp } from '../src/slack/app.js';
import { openDb } from '../src/store/db.js';
import { writeCollection } from '../src/store/usage.js';
import { CALL_ONCE, signedHeaders, slashCommandBody, startFakeSlack } from '../test/support/fake-slack.js';

/** The part of autocannon's API used here (it ships no types). */
interface AutocannonResult {
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  requests: { average: number; total: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const SECRET = 'bench-signing-secret';
const NOW = new Date('2026-03-11T08:00:00.000Z');

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(process.argv[i + 1]);
}

/** A response_url sink that only drains and counts (so it costs the measured process little). */
async function startSink(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      res.writeHead(200, { 'content-length': 2 });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/response/bench`,
    count: () => n,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function seed(path: string, logs: number, days: number): number {
  const db = openDb(path);
  const to = addDays(NOW.toISOString().slice(0, 10), -1);
  const range = daysInRange(addDays(to, -(days - 1)), to);
  const usage: Array<{ logId: string; day: string; bytes: number }> = [];
  const org = new Map<string, number>();
  const managed = [];
  for (let i = 0; i < logs; i++) {
    const id = `0b1c2d3e-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    managed.push({
      id,
      name: `service-${i}-${i % 3 === 0 ? 'access' : 'app'}`,
      logsets: [{ id: `set-${i % 40}`, name: `Log set ${i % 40}` }],
    });
    const base = 1_000_000 + ((i * 7_919) % 900_000_000);
    for (const [d, day] of range.entries()) {
      const w = weekdayOf(day);
      const bytes = Math.round(base * (w === 0 || w === 6 ? 0.5 : 1) * (1 + 0.05 * Math.sin(d + i)));
      usage.push({ logId: id, day, bytes });
      org.set(day, (org.get(day) ?? 0) + bytes);
    }
  }
  writeCollection(db, {
    observedDays: range,
    source: 'api',
    usage,
    managedLogs: managed,
    orgDaily: [...org].map(([day, bytes]) => ({ day, bytes })),
    now: NOW.toISOString(),
  });
  db.close();
  return usage.length;
}

interface Figures {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  rps: number;
  requests: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, body: string, seconds: number, connections: number): Promise<Figures> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: signedHeaders(SECRET, body),
    body,
  });
  return {
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    mean: result.latency.average,
    rps: result.requests.average,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function main(): Promise<void> {
  const logs = arg('logs', 10_000);
  const days = arg('days', 90);
  const seconds = arg('seconds', 10);
  const connections = arg('connections', 50);
  const dir = mkdtempSync(join(tmpdir(), 'logusage-bench-slash-'));
  const dbPath = join(dir, 'bench.db');
  const t0 = performance.now();
  const rows = seed(dbPath, logs, days);
  console.log(
    `seeded ${logs.toLocaleString('en-US')} logs × ${days} days (${rows.toLocaleString('en-US')} values) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  const fake = await startFakeSlack();
  const sink = await startSink();
  const db = openDb(dbPath);
  const settings = readSettings({
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake.apiUrl,
    SLACK_ALERT_CHANNEL: 'C0ALERTS1',
    LOGUSAGE_ADMINS: 'UADMIN001',
  });
  const ours = createSlackApp({
    settings,
    db,
    logger: createSilentLogger(),
    now: () => NOW,
    clientOptions: CALL_ONCE,
  });
  const oursPort = (await ours.start(0)).port;

  const bare = new App({
    authorize: async () => ({ botToken: 'xoxb-bench' }),
    signingSecret: SECRET,
    logLevel: LogLevel.ERROR,
    convoStore: false,
    clientOptions: { slackApiUrl: fake.apiUrl },
  });
  bare.command('/logusage', async ({ ack }) => {
    await ack({ response_type: 'ephemeral', text: 'ok' });
  });
  const bareServer = (await bare.start(0)) as unknown as Server;
  const barePort = (bareServer.address() as AddressInfo).port;

  const body = slashCommandBody({ text: 'summary', user_id: 'UUSER0001', response_url: sink.url });
  // The app computes the latest summary right after it starts (then caches it until the data
  // changes); a summary asked before that is acked empty and answered through response_url.
  const c0 = performance.now();
  await ours.service.warm();
  console.log(`summary computed from the store in ${(performance.now() - c0).toFixed(0)} ms (cached until the data changes)`);
  const probe = await fetch(`http://127.0.0.1:${oursPort}/slack/events`, {
    method: 'POST',
    headers: signedHeaders(SECRET, body),
    body,
  });
  const probeText = await probe.text();
  if (probe.status !== 200 || !probeText.includes('Summary for'))
    throw new Error(`unexpected answer: ${probe.status} ${probeText.slice(0, 200)}`);
  console.log(`one answer: HTTP ${probe.status}, ${probeText.length.toLocaleString('en-US')} bytes of Block Kit JSON in the ack body`);

  // Each app gets a 2 s warm-up at full load, then the measured run.
  await load(`http://127.0.0.1:${barePort}/slack/events`, body, 2, connections);
  const bareFig = await load(`http://127.0.0.1:${barePort}/slack/events`, body, seconds, connections);
  await load(`http://127.0.0.1:${oursPort}/slack/events`, body, 2, connections);
  const oursFig = await load(`http://127.0.0.1:${oursPort}/slack/events`, body, seconds, connections);

  const row = (name: string, f: Figures) =>
    `| ${name} | ${f.p50} | ${f.p90} | ${f.p99} | ${f.max} | ${f.mean.toFixed(2)} | ${Math.round(f.rps).toLocaleString('en-US')} | ${f.requests.toLocaleString('en-US')} | ${f.non2xx + f.errors} |`;
  console.log(`\n${connections} connections, ${seconds} s each, loopback, signed requests (latency in ms)\n`);
  console.log('| app | p50 | p90 | p99 | max | mean | req/s | requests | non-2xx/errors |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  console.log(row('bare Bolt app, constant ack', bareFig));
  console.log(row('logusage `/logusage summary`', oursFig));
  const ratio = oursFig.p99 / Math.max(bareFig.p99, 1);
  console.log(`\nanswers that went through response_url instead of the ack: ${sink.count()}`);
  console.log(`p99 ratio ours / bare: ${ratio.toFixed(2)} (target ≤ 1.5) → ${ratio <= 1.5 ? 'PASS' : 'FAIL'}`);

  await ours.stop();
  await bare.stop();
  await sink.close();
  await fake.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  if (ratio > 1.5 || oursFig.non2xx + oursFig.errors > 0) process.exitCode = 1;
}

await main();
