/** The durable Slack outbox against the fake Slack Web API on loopback, with a real SQLite database. */
import { afterEach, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/logger.js';
import { createOutbox, createWebApiSender, METADATA_EVENT_TYPE, type SlackSender } from '../../../src/slack/outbox.js';
import { type Db, openDb } from '../../../src/store/db.js';
import { countOutbox, enqueueOutbox, getOutboxByKey, listOutbox, markAttempt } from '../../../src/store/outbox.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';

const TOKEN = 'xoxb-test-outbox-token';
/**
 * Deadline of a drain that must empty the outbox. It only bounds a failure: a drain ends as soon as the
 * outbox is empty, so the deadline is sized for a busy machine, not for the expected few milliseconds.
 */
const DRAIN_MS = 60_000;
const deadline = () => new Date(Date.now() + DRAIN_MS);
let slack: FakeSlack;
let db: Db;

afterEach(async () => {
  db?.close();
  await slack?.close();
});

async function setup(): Promise<SlackSender> {
  slack = await startFakeSlack({ token: TOKEN });
  db = openDb(':memory:');
  // A time-out here would turn a slow answer into a retry and change the counts these tests check.
  return createWebApiSender({ token: TOKEN, apiUrl: slack.apiUrl, logger: createSilentLogger(), timeoutMs: 30_000 });
}

function outbox(sender: SlackSender, extra: Partial<Parameters<typeof createOutbox>[0]> = {}) {
  return createOutbox({
    db,
    sender,
    logger: createSilentLogger(),
    now: () => new Date(),
    paceMs: 5,
    retryBaseMs: 5,
    retryMaxMs: 40,
    ...extra,
  });
}

function queue(key: string, channel: string, method: 'post' | 'update' | 'reply' | 'upload', text: string, parent?: string) {
  const parentId = parent ? getOutboxByKey(db, parent)?.id : undefined;
  return enqueueOutbox(db, {
    idemKey: key,
    channel,
    method,
    payload:
      method === 'upload'
        ? {
            text,
            filename: `${key.replace(/[^a-z0-9]+/gi, '-')}.png`,
            title: text,
            fileBase64: Buffer.from('png-bytes').toString('base64'),
          }
        : { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] },
    ...(parentId ? { parentOutboxId: parentId } : {}),
    now: new Date().toISOString(),
  });
}

// Tests outlive their drain's deadline, so a drain that never empties fails on its own report.
describe('outbox', { timeout: 2 * DRAIN_MS }, () => {
  it('queues an intent once per key', async () => {
    await setup();
    const a = queue('k1', 'C1', 'post', 'one');
    const b = queue('k1', 'C1', 'post', 'changed');
    expect(a.created).toBe(true);
    expect(b).toEqual({ id: a.id, created: false });
    expect(listOutbox(db)).toHaveLength(1);
    expect(listOutbox(db)[0]?.payload.text).toBe('one');
  });

  it('delivers every message exactly once and in order per channel through 500s and 429s', async () => {
    const sender = await setup();
    for (let i = 0; i < 5; i++) queue(`a${i}`, 'CALPHA', 'post', `alpha ${i}`);
    for (let i = 0; i < 3; i++) queue(`b${i}`, 'CBRAVO', 'post', `bravo ${i}`);
    queue('a0:update', 'CALPHA', 'update', 'alpha 0 edited', 'a0');
    queue('a0:reply', 'CALPHA', 'reply', 'alpha 0 reply', 'a0');
    slack.fail('chat.postMessage', { kind: 'http', status: 500 }, 3);
    slack.fail('chat.postMessage', { kind: 'ratelimit', retryAfter: 1 }, 2);
    slack.fail('chat.update', { kind: 'error', error: 'internal_error' }, 1);

    const report = await outbox(sender).drain({ deadline: deadline() });

    expect(report).toMatchObject({ sent: 10, dead: 0, pending: 0, stoppedBy: 'empty' });
    expect(report.retries).toBe(6);
    const tops = (ch: string) => slack.messages.filter((m) => m.channel === ch && !m.threadTs).map((m) => m.text);
    expect(tops('CALPHA')).toEqual(['alpha 0 edited', 'alpha 1', 'alpha 2', 'alpha 3', 'alpha 4']);
    expect(tops('CBRAVO')).toEqual(['bravo 0', 'bravo 1', 'bravo 2']);
    const first = slack.messages.find((m) => m.channel === 'CALPHA' && !m.threadTs);
    expect(first?.updates).toBe(1);
    const reply = slack.messages.find((m) => m.threadTs !== undefined);
    expect(reply).toMatchObject({ channel: 'CALPHA', threadTs: first?.ts, text: 'alpha 0 reply' });
    expect(countOutbox(db)).toEqual({ pending: 0, sent: 10, dead: 0 });
    // A 500 may come after Slack acted: each of those three retries first looked for the message.
    expect(slack.callsTo('conversations.history')).toHaveLength(3);
    // Every accepted post carries its outbox key as metadata.
    for (const m of slack.messages) expect(m.metadata?.event_type).toBe(METADATA_EVENT_TYPE);
    expect(new Set(slack.messages.map((m) => m.metadata?.event_payload.key)).size).toBe(slack.messages.length);
  });

  it('waits out Retry-After before sending to that channel again', async () => {
    const sender = await setup();
    queue('r1', 'CRATE', 'post', 'first');
    slack.fail('chat.postMessage', { kind: 'ratelimit', retryAfter: 1 }, 1);
    await outbox(sender).drain({ deadline: deadline() });
    const calls = slack.callsTo('chat.postMessage');
    expect(calls).toHaveLength(2);
    expect(calls[0]?.fault?.kind).toBe('ratelimit');
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('stops at the deadline during an outage and delivers everything later, once', async () => {
    const sender = await setup();
    for (let i = 0; i < 3; i++) queue(`o${i}`, 'COUT', 'post', `msg ${i}`);
    slack.fail('chat.postMessage', { kind: 'http', status: 503 }, 1000);
    const first = await outbox(sender).drain({ deadline: new Date(Date.now() + 300) });
    expect(first.stoppedBy).toBe('deadline');
    expect(first.pending).toBe(3);
    expect(slack.messages).toHaveLength(0);
    slack.reset();
    const second = await outbox(sender, { retryBaseMs: 1 }).drain({ deadline: deadline() });
    expect(second).toMatchObject({ sent: 3, pending: 0 });
    expect(slack.messages.map((m) => m.text)).toEqual(['msg 0', 'msg 1', 'msg 2']);
  });

  it('does not post again when an earlier attempt reached Slack but was never recorded', async () => {
    const sender = await setup();
    const { id } = queue('crash-1', 'CCRASH', 'post', 'posted before the crash');
    queue('crash-2', 'CCRASH', 'post', 'after the crash');
    // The process that sent it died right after Slack accepted: attempt marked, outcome never recorded.
    markAttempt(db, id, new Date().toISOString());
    await sender.postMessage({
      channel: 'CCRASH',
      text: 'posted before the crash',
      metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { key: 'crash-1' } },
    });
    // Another bot message in the channel without our key must not confuse the lookup.
    await sender.postMessage({
      channel: 'CCRASH',
      text: 'other',
      metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { key: 'x' } },
    });

    const report = await outbox(sender).drain({ deadline: deadline() });

    expect(report).toMatchObject({ sent: 1, confirmed: 1, pending: 0 });
    expect(slack.messages.filter((m) => m.text === 'posted before the crash')).toHaveLength(1);
    expect(slack.callsTo('conversations.history').length).toBe(1);
    const row = getOutboxByKey(db, 'crash-1');
    expect(row?.status).toBe('sent');
    expect(row?.resultTs).toBe(slack.messages[0]?.ts);
  });

  it('posts again when an attempt with an unknown outcome never reached Slack', async () => {
    const sender = await setup();
    const { id } = queue('lost-1', 'CLOST', 'post', 'lost in flight');
    markAttempt(db, id, new Date().toISOString());
    const report = await outbox(sender).drain({ deadline: deadline() });
    expect(report).toMatchObject({ sent: 1, confirmed: 0 });
    expect(slack.messages.map((m) => m.text)).toEqual(['lost in flight']);
    expect(getOutboxByKey(db, 'lost-1')?.attempts).toBe(2);
  });

  it('retries the check later when reading the history fails for a while', async () => {
    const sender = await setup();
    const { id } = queue('hist-1', 'CHIST', 'post', 'already there');
    markAttempt(db, id, new Date().toISOString());
    await sender.postMessage({
      channel: 'CHIST',
      text: 'already there',
      metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { key: 'hist-1' } },
    });
    slack.fail('conversations.history', { kind: 'http', status: 503 }, 2);
    const report = await outbox(sender).drain({ deadline: deadline() });
    expect(report).toMatchObject({ confirmed: 1, sent: 0, retries: 2, pending: 0 });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('sends again when the history cannot be read at all (a duplicate rather than a loss)', async () => {
    const sender = await setup();
    const { id } = queue('blind-1', 'CBLIND', 'post', 'maybe posted');
    markAttempt(db, id, new Date().toISOString());
    slack.fail('conversations.history', { kind: 'error', error: 'not_in_channel' }, 1);
    const report = await outbox(sender).drain({ deadline: deadline() });
    expect(report).toMatchObject({ sent: 1, confirmed: 0, dead: 0, pending: 0 });
    expect(slack.messages.map((m) => m.text)).toEqual(['maybe posted']);
  });

  it('uploads a file into the thread of its parent message', async () => {
    const sender = await setup();
    queue('digest', 'CDIG', 'post', 'the digest');
    queue('digest:chart', 'CDIG', 'upload', 'Organisation, last 30 days', 'digest');
    const report = await outbox(sender).drain({ deadline: deadline() });
    expect(report).toMatchObject({ sent: 2, pending: 0 });
    const parent = slack.messages[0];
    expect(slack.files).toHaveLength(1);
    expect(slack.files[0]).toMatchObject({ channel: 'CDIG', threadTs: parent?.ts, title: 'Organisation, last 30 days' });
    expect(slack.files[0]?.bytes?.toString()).toBe('png-bytes');
    expect(getOutboxByKey(db, 'digest:chart')?.resultTs).toBe(slack.files[0]?.id);
  });

  it('drops a message Slack refuses for good, with what depends on it, and goes on', async () => {
    const sender = await setup();
    queue('bad', 'CBAD', 'post', 'to a missing channel');
    queue('bad:update', 'CBAD', 'update', 'edit', 'bad');
    queue('good', 'CGOOD', 'post', 'fine');
    slack.fail('chat.postMessage', { kind: 'error', error: 'channel_not_found' }, 1);
    const report = await outbox(sender).drain({ deadline: deadline() });
    expect(report).toMatchObject({ sent: 1, dead: 2, pending: 0 });
    expect(getOutboxByKey(db, 'bad')?.lastError).toContain('channel_not_found');
    expect(getOutboxByKey(db, 'bad:update')?.status).toBe('dead');
    expect(slack.messages.map((m) => m.text)).toEqual(['fine']);
  });

  it('gives a message up after the configured number of failed attempts', async () => {
    const sender = await setup();
    queue('g1', 'CGIVE', 'post', 'never accepted');
    queue('g2', 'CGIVE', 'post', 'after it');
    slack.fail('chat.postMessage', { kind: 'http', status: 502 }, 3);
    const report = await outbox(sender, { maxAttempts: 3 }).drain({ deadline: deadline() });
    expect(report).toMatchObject({ sent: 1, dead: 1, retries: 2, pending: 0 });
    expect(getOutboxByKey(db, 'g1')).toMatchObject({
      status: 'dead',
      attempts: 3,
      lastError: 'gave up after 3 attempts: Slack answered HTTP 502',
    });
    expect(slack.messages.map((m) => m.text)).toEqual(['after it']);
  });

  it('stops and keeps everything when Slack refuses the token', async () => {
    await setup();
    const badSender = createWebApiSender({ token: 'xoxb-wrong', apiUrl: slack.apiUrl, logger: createSilentLogger() });
    queue('t1', 'CTOK', 'post', 'one');
    queue('t2', 'CTOK', 'post', 'two');
    const report = await outbox(badSender).drain({ deadline: deadline() });
    expect(report.stoppedBy).toBe('auth');
    expect(report.authError).toContain('invalid_auth');
    expect(report.pending).toBe(2);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('stops at a safe point when asked to', async () => {
    const sender = await setup();
    for (let i = 0; i < 4; i++) queue(`s${i}`, 'CSIG', 'post', `m${i}`);
    const ac = new AbortController();
    const wrapped: SlackSender = {
      ...sender,
      postMessage: async (m) => {
        const r = await sender.postMessage(m);
        if (m.text === 'm1') ac.abort();
        return r;
      },
    };
    const report = await outbox(wrapped).drain({ signal: ac.signal });
    expect(report).toMatchObject({ sent: 2, pending: 2, stoppedBy: 'signal' });
    expect(getOutboxByKey(db, 's1')?.status).toBe('sent');
  });
});
