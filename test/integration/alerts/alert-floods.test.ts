/**
 * No floods (SPEC §7) in the alert layer on a real database: a log set going silent together is one
 * message (one update, one resolve); a holiday is one notice and no per-log drop; twelve unrelated spikes
 * in one channel are one grouped message whose rows stay their own episodes (updated in place, snoozed,
 * muted, routed). The idempotency keys of single alerts are unchanged (daily-alerts.test.ts).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { applyAlertDay } from '../../../src/alerts/runner.js';
import { addDays, type Day, daysInRange } from '../../../src/days.js';
import type { Finding } from '../../../src/detect/types.js';
import { createSilentLogger } from '../../../src/logger.js';
import { getAlert, listOpenAlerts } from '../../../src/store/alerts.js';
import { acceptNewNormal, setMuted, setRoute, snoozeLog } from '../../../src/store/controls.js';
import { type Db, openDb } from '../../../src/store/db.js';
import { listOutbox } from '../../../src/store/outbox.js';
import { type UsageRow, writeCollection } from '../../../src/store/usage.js';

const ADMIN = { actor: 'U0ADMIN01', at: '2026-03-01T00:00:00.000Z' };
const DAYS = daysInRange('2026-02-20', '2026-03-10');
const LINUX = Array.from({ length: 9 }, (_, i) => `linux-${i}`);
const WEB = Array.from({ length: 14 }, (_, i) => `web-${i}`);
let db: Db;

/** Usage of every log on `days`, except the (log, day) pairs in `off` (the log sent nothing). */
function store(days: Day[], off: (logId: string, day: Day) => boolean = () => false) {
  const usage: UsageRow[] = [];
  for (const day of days) for (const id of [...LINUX, ...WEB]) if (!off(id, day)) usage.push({ day, logId: id, bytes: 2e9 });
  writeCollection(db, {
    observedDays: days,
    source: 'api',
    usage,
    managedLogs: [
      ...LINUX.map((id) => ({ id, name: id, logsets: [{ id: 'ls', name: 'Linux servers' }] })),
      ...WEB.map((id, i) => ({ id, name: id, logsets: [{ id: i < 7 ? 'w1' : 'w2', name: i < 7 ? 'Web' : 'Web EU' }] })),
    ],
    now: '2026-03-11T00:00:00.000Z',
  });
}

beforeEach(() => {
  db = openDb(':memory:');
  store(DAYS);
  return () => db.close();
});

function finding(day: Day, logId: string, kind: Finding['kind'], extra: Partial<Finding> = {}): Finding {
  const set = LINUX.includes(logId) ? 'Linux servers' : WEB.indexOf(logId) < 7 ? 'Web' : 'Web EU';
  const value = kind === 'silent' ? 0 : kind === 'drop' ? 0.3e9 : 8e9;
  return {
    day,
    kind,
    scope: 'log',
    logId,
    logName: logId,
    logsets: [set],
    value,
    expected: 2e9,
    low: 1.5e9,
    high: 2.6e9,
    score: 3,
    reason: `${logId} sent ${value} bytes.`,
    changeBytes: value - 2e9,
    changePct: ((value - 2e9) / 2e9) * 100,
    ...(kind === 'silent' ? { details: { silentDays: 1, silentSince: day } } : {}),
    ...extra,
  };
}

const run = (day: Day, findings: Finding[]) =>
  applyAlertDay(
    { db, logger: createSilentLogger(), now: new Date(`${addDays(day, 1)}T06:30:00Z`), alertChannel: 'CALERTS', resolveAfterDays: 1 },
    day,
    findings,
  );
const sends = () => listOutbox(db).map((r) => `${r.method} ${r.channel} ${r.idemKey}`);
const posts = () => listOutbox(db).filter((r) => r.method === 'post');
const payload = (key: string) => JSON.stringify(listOutbox(db).find((r) => r.idemKey === key)?.payload ?? {});

describe('a log set going silent together', () => {
  it('is one message listing its logs, updated in place, resolved when they are back', () => {
    const down = LINUX.slice(0, 8);
    const d1: Day = '2026-03-08';
    const d2: Day = '2026-03-09';
    const d3: Day = '2026-03-10';
    store([d1, d2], (id) => down.includes(id));
    run(
      d1,
      down.map((id) => finding(d1, id, 'silent')),
    );
    expect(sends()).toEqual(['post CALERTS alert:1:post']);
    const text = payload('alert:1:post');
    expect(text).toContain('8 of 9 logs of *Linux servers* sent nothing');
    for (const id of down) expect(text).toContain(id);
    expect(getAlert(db, 1)).toMatchObject({ scope: 'logset', episodeKey: 'logset:Linux servers', kind: 'silent' });

    run(
      d2,
      down.map((id) => finding(d2, id, 'silent', { details: { silentDays: 2, silentSince: d1 } })),
    );
    expect(sends()).toEqual(['post CALERTS alert:1:post', 'update CALERTS alert:1:update:2026-03-09']);

    // Back: every log sends again, no findings.
    store([d3]);
    run(d3, []);
    expect(sends()).toEqual([
      'post CALERTS alert:1:post',
      'update CALERTS alert:1:update:2026-03-09',
      'update CALERTS alert:1:resolved',
      'reply CALERTS alert:1:resolved-reply',
    ]);
    expect(payload('alert:1:resolved')).toContain('Resolved — log set Linux servers');
    expect(listOpenAlerts(db)).toEqual([]);
  });

  it('stays open without counting while most of its logs still send nothing', () => {
    const down = LINUX.slice(0, 8);
    store(['2026-03-08', '2026-03-09'], (id) => down.includes(id));
    run(
      '2026-03-08',
      down.map((id) => finding('2026-03-08', id, 'silent')),
    );
    run('2026-03-09', []);
    expect(getAlert(db, 1)).toMatchObject({ status: 'open', normalDays: 0 });
    expect(posts()).toHaveLength(1);
  });

  it('leaves two silent logs of a large set as two alerts of their own', () => {
    run(
      '2026-03-08',
      LINUX.slice(0, 2).map((id) => finding('2026-03-08', id, 'silent')),
    );
    expect(sends()).toEqual(['post CALERTS alert:1:post', 'post CALERTS alert:2:post']);
  });
});

describe('an organisation-wide holiday', () => {
  it('is one notice and no per-log drop', () => {
    const day: Day = '2026-03-09';
    const org: Finding = {
      day,
      kind: 'org',
      scope: 'org',
      logId: null,
      logName: 'organisation',
      logsets: [],
      value: 10e9,
      expected: 46e9,
      low: 40e9,
      high: 52e9,
      score: 5,
      reason: 'Most logs sent less.',
      changeBytes: -36e9,
      changePct: -78,
      details: { orgEvent: 'holiday', logsAffected: 20, logsReporting: 23 },
    };
    // Drops that slipped through detection are not posted.
    run(day, [org, ...[...LINUX, ...WEB].slice(0, 20).map((id) => finding(day, id, 'drop'))]);
    expect(sends()).toEqual(['post CALERTS notice:org-event:2026-03-09']);
    expect(payload('notice:org-event:2026-03-09')).toContain('Holiday');
    expect(payload('notice:org-event:2026-03-09')).toContain('20 of 23 logs');
  });
});

describe('many unrelated alerts in one channel', () => {
  const spikes = (day: Day, ids: string[]) => ids.map((id) => finding(day, id, 'spike'));
  const twelve = [...WEB.slice(0, 6), ...LINUX.slice(0, 6)];

  it('twelve spikes are one grouped message; each row stays its own episode, updated in place', () => {
    run('2026-03-08', spikes('2026-03-08', twelve));
    expect(sends()).toEqual(['post CALERTS group:1:post']);
    expect(listOpenAlerts(db)).toHaveLength(12);
    const text = payload('group:1:post');
    expect(text).toContain('12 alerts on');
    for (const id of twelve) expect(text).toContain(id);
    // One menu per action, one option per open alert (the option names the alert).
    const menus = (
      listOutbox(db)[0]!.payload.blocks as Array<{ type: string; elements?: Array<{ type: string; options?: unknown[] }> }>
    ).find((b) => b.type === 'actions');
    expect(menus?.elements?.map((e) => [e.type, e.options?.length])).toEqual([
      ['static_select', 12],
      ['static_select', 12],
      ['static_select', 12],
      ['static_select', 12],
    ]);

    // Day 2: four go on, the rest are back → one update of the grouped message, one reply in its thread.
    run('2026-03-09', spikes('2026-03-09', twelve.slice(0, 4)));
    expect(sends().slice(1)).toEqual(['update CALERTS group:1:update:2026-03-09', 'reply CALERTS group:1:resolved:2026-03-09']);
    expect(payload('group:1:update:2026-03-09')).toContain('4 still open');
    for (const id of twelve.slice(4)) expect(payload('group:1:resolved:2026-03-09')).toContain(id);
    expect(listOpenAlerts(db)).toHaveLength(4);
  });

  it('snooze, mute and mark as expected act on the chosen row; the grouped message follows', () => {
    run('2026-03-08', spikes('2026-03-08', twelve));
    snoozeLog(db, twelve[0]!, '2026-03-20T00:00:00.000Z', ADMIN, { via: 'button', alertId: 1 });
    setMuted(db, twelve[1]!, true, ADMIN, { via: 'button', alertId: 2 });
    acceptNewNormal(db, twelve[2]!, '2026-03-08', ADMIN, { via: 'button', alertId: 3 });
    run('2026-03-09', spikes('2026-03-09', twelve));
    expect(getAlert(db, 1)).toMatchObject({ status: 'open', evaluatedDay: '2026-03-09', findingDays: 1 });
    expect(getAlert(db, 2)).toMatchObject({ status: 'accepted', endReason: 'muted' });
    expect(getAlert(db, 3)).toMatchObject({ status: 'accepted', endReason: 'marked-expected' });
    expect(getAlert(db, 4)).toMatchObject({ status: 'open', findingDays: 2 });
    expect(sends()).toEqual(['post CALERTS group:1:post', 'update CALERTS group:1:update:2026-03-09']);
    expect(payload('group:1:update:2026-03-09')).toContain('muted');
  });

  it('lists each row with its change in bytes and money when a price is set', () => {
    const priced = (day: Day, id: string) =>
      finding(day, id, 'spike', { changeMoney: 2.1, details: { currency: 'USD', pricePerGb: 0.35 } });
    run(
      '2026-03-08',
      twelve.map((id) => priced('2026-03-08', id)),
    );
    expect(payload('group:1:post')).toContain('+6 GB ≈ +$2.10');
  });

  it('groups per channel after routing; five or fewer stay single messages', () => {
    setRoute(db, 'Linux servers', 'CLINUX', ADMIN);
    run('2026-03-08', spikes('2026-03-08', [...LINUX.slice(0, 6), ...WEB.slice(0, 3)]));
    expect(sends().sort()).toEqual([
      'post CALERTS alert:7:post',
      'post CALERTS alert:8:post',
      'post CALERTS alert:9:post',
      'post CLINUX group:1:post',
    ]);
  });
});
