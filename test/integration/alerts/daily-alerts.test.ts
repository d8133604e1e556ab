/**
 * The alert runner on a real database with the people-set controls: snoozes that expire, mutes,
 * "Mark as expected" from the button, routing by log set; dry runs write nothing; stale days are ignored.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { applyAlertDay } from '../../../src/alerts/runner.js';
import type { Day } from '../../../src/days.js';
import type { Finding } from '../../../src/detect/types.js';
import { createSilentLogger } from '../../../src/logger.js';
import { getAlert, listOpenAlerts } from '../../../src/store/alerts.js';
import { acceptNewNormal, setMuted, setRoute, snoozeLog } from '../../../src/store/controls.js';
import { type Db, openDb } from '../../../src/store/db.js';
import { listOutbox } from '../../../src/store/outbox.js';
import { writeCollection } from '../../../src/store/usage.js';
import { collectDay } from '../../support/db.js';

const ADMIN = { actor: 'U0ADMIN01', at: '2026-03-01T00:00:00.000Z' };
let db: Db;

beforeEach(() => {
  db = openDb(':memory:');
  const days = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08'];
  writeCollection(db, {
    observedDays: days,
    source: 'api',
    usage: days.flatMap((day) => [
      { day, logId: 'L1', bytes: 1e9 },
      { day, logId: 'L2', bytes: 2e9 },
    ]),
    managedLogs: [
      { id: 'L1', name: 'firewall-eu', logsets: [{ id: 's1', name: 'Security' }] },
      { id: 'L2', name: 'web-<b>', logsets: [{ id: 's2', name: 'Web' }] },
    ],
    now: '2026-03-09T00:00:00.000Z',
  });
  return () => db.close();
});

function spike(day: Day, logId = 'L1', extra: Partial<Finding> = {}): Finding {
  return {
    day,
    kind: 'spike',
    scope: 'log',
    logId,
    logName: logId === 'L1' ? 'firewall-eu' : 'web-<b>',
    logsets: [logId === 'L1' ? 'Security' : 'Web'],
    value: 4e9,
    expected: 1e9,
    low: 0.8e9,
    high: 1.3e9,
    score: 4,
    reason: 'it sent 4 GB, 4× its usual 1 GB.',
    changeBytes: 3e9,
    changePct: 300,
    ...extra,
  };
}

const run = (day: Day, findings: Finding[], o: { dryRun?: boolean; now?: string } = {}) =>
  applyAlertDay(
    { db, logger: createSilentLogger(), now: new Date(o.now ?? `${day}T23:00:00Z`), alertChannel: 'CALERTS', resolveAfterDays: 2 },
    day,
    findings,
    o.dryRun ? { dryRun: true } : {},
  );
const sends = () => listOutbox(db).map((r) => `${r.method} ${r.channel} ${r.idemKey}`);

describe('alert runner with controls', () => {
  it('routes by log set, defaulting to the alert channel', () => {
    setRoute(db, 'Security', 'CSECOPS', ADMIN);
    run('2026-03-02', [spike('2026-03-02', 'L1'), spike('2026-03-02', 'L2')]);
    expect(sends()).toEqual(['post CSECOPS alert:1:post', 'post CALERTS alert:2:post']);
    expect(JSON.stringify(listOutbox(db)[1]?.payload)).toContain('web-&lt;b&gt;');
  });

  it('holds a snoozed episode quietly and carries on when the snooze has expired', () => {
    run('2026-03-02', [spike('2026-03-02')]);
    snoozeLog(db, 'L1', '2026-03-04T12:00:00.000Z', ADMIN);
    run('2026-03-03', [spike('2026-03-03')], { now: '2026-03-04T06:30:00Z' });
    expect(sends()).toEqual(['post CALERTS alert:1:post']);
    expect(getAlert(db, 1)).toMatchObject({ status: 'open', findingDays: 1, evaluatedDay: '2026-03-03' });
    run('2026-03-04', [spike('2026-03-04')], { now: '2026-03-05T06:30:00Z' });
    expect(sends()).toEqual(['post CALERTS alert:1:post', 'update CALERTS alert:1:update:2026-03-04']);
    expect(JSON.stringify(listOutbox(db)[1]?.payload)).toContain('(day 3)');
  });

  it('rebuilds each message with the changes made from its own buttons only', () => {
    run('2026-03-02', [spike('2026-03-02', 'L1'), spike('2026-03-02', 'L2')]);
    snoozeLog(db, 'L1', '2026-03-03T12:00:00.000Z', ADMIN, { durationMs: 86_400_000, via: 'button', alertId: 1 });
    snoozeLog(db, 'L2', '2026-03-03T12:00:00.000Z', ADMIN, { durationMs: 86_400_000, via: 'command' });
    run('2026-03-03', [spike('2026-03-03', 'L1'), spike('2026-03-03', 'L2')]);
    const blocks = (key: string) => (listOutbox(db).find((r) => r.idemKey === key)?.payload.blocks ?? []) as Array<Record<string, unknown>>;
    expect(blocks('alert:1:update:2026-03-03').at(-1)).toEqual({
      type: 'context',
      block_id: 'logusage_action_log',
      elements: [
        {
          type: 'mrkdwn',
          text: ':zzz: <@U0ADMIN01> snoozed *firewall-eu* for 1 day (until 2026-03-03 12:00 UTC) · 2026-03-01 00:00 UTC',
          verbatim: true,
        },
      ],
    });
    expect(JSON.stringify(blocks('alert:2:update:2026-03-03'))).toContain('web-&lt;b&gt;');
    expect(JSON.stringify(blocks('alert:2:update:2026-03-03'))).not.toContain('logusage_action_log');
  });

  it('opens nothing for a snoozed or muted log', () => {
    snoozeLog(db, 'L1', '2026-03-10T00:00:00.000Z', ADMIN);
    setMuted(db, 'L2', true, ADMIN);
    const r = run('2026-03-02', [spike('2026-03-02', 'L1'), spike('2026-03-02', 'L2')]);
    expect(r.effects).toEqual([
      { type: 'suppressed', key: 'log:L1', reason: 'snoozed' },
      { type: 'suppressed', key: 'log:L2', reason: 'muted' },
    ]);
    expect(sends()).toEqual([]);
  });

  it('ends an episode quietly when its log is muted or marked as expected from the button', () => {
    run('2026-03-02', [spike('2026-03-02', 'L1'), spike('2026-03-02', 'L2')]);
    setMuted(db, 'L1', true, ADMIN);
    acceptNewNormal(db, 'L2', '2026-03-02', ADMIN, { via: 'button', alertId: 2 });
    const r = run('2026-03-03', [spike('2026-03-03', 'L1'), spike('2026-03-03', 'L2')]);
    expect(r.effects).toEqual([
      { type: 'accept', key: 'log:L2', reason: 'marked-expected' },
      { type: 'accept', key: 'log:L1', reason: 'muted' },
    ]);
    expect(sends()).toHaveLength(2);
    expect(getAlert(db, 1)).toMatchObject({ status: 'accepted', endReason: 'muted' });
    expect(getAlert(db, 2)).toMatchObject({ status: 'accepted', endReason: 'marked-expected', resolvedDay: '2026-03-03' });
  });

  it('alerts once for a log that stops sending for good', () => {
    const silent = (day: Day): Finding => spike(day, 'L1', { kind: 'silent', value: 0, reason: 'firewall-eu sent no data.' });
    run('2026-03-05', [silent('2026-03-05')]);
    // Detection stops flagging the long silence; the log still sends nothing: the episode stays quiet, open.
    writeCollection(db, { observedDays: ['2026-03-06', '2026-03-07'], source: 'api', usage: [], now: '2026-03-08T00:00:00.000Z' });
    run('2026-03-06', []);
    run('2026-03-07', []);
    expect(sends()).toEqual(['post CALERTS alert:1:post']);
    expect(listOpenAlerts(db).map((a) => a.kind)).toEqual(['silent']);
  });

  it('writes nothing in a dry run, and returns what it would send', () => {
    const r = run('2026-03-02', [spike('2026-03-02')], { dryRun: true });
    expect(r.queued.map((q) => `${q.method} ${q.channel}`)).toEqual(['post CALERTS']);
    expect(r.queued[0]?.payload.text).toContain('Spike: firewall-eu');
    expect(sends()).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM alerts').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM alert_days').pluck().get()).toBe(0);
    expect(run('2026-03-02', [spike('2026-03-02')]).status).toBe('applied');
  });

  it('leaves a day that was never collected for a run that has its data', () => {
    const r = run('2026-03-10', [spike('2026-03-10')]);
    expect(r.status).toBe('not-observed');
    expect(sends()).toEqual([]);
    collectDay(db, '2026-03-10', { L1: 4e9 }, { now: '2026-03-11T00:00:00.000Z' });
    expect(run('2026-03-10', [spike('2026-03-10')]).status).toBe('applied');
    expect(sends()).toEqual(['post CALERTS alert:1:post']);
  });

  it('ignores a day older than the newest processed one', () => {
    run('2026-03-05', []);
    expect(run('2026-03-03', [spike('2026-03-03')]).status).toBe('stale');
    expect(sends()).toEqual([]);
  });
});
