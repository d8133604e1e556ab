/** The grouped, log-set and organisation-event messages (src/slack/blocks/grouped.ts) within Slack's rules. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/detect/types.js';
import { messageTextLength } from '../../../src/slack/block-kit.js';
import { buildGroupMessage, buildLogSetMessage, buildOrgEventNotice, type GroupRow } from '../../../src/slack/blocks/grouped.js';

const HOSTILE = '<!channel> *bold* <@U0EVIL> & `x`';

function finding(i: number, extra: Partial<Finding> = {}): Finding {
  return {
    day: '2026-03-10',
    kind: 'spike',
    scope: 'log',
    logId: `0b1c2d3e-0000-4000-8000-${String(i).padStart(12, '0')}`,
    logName: `${HOSTILE} ${i}`,
    logsets: [`${HOSTILE} set`],
    value: 5e9,
    expected: 1e9,
    low: 0.8e9,
    high: 1.3e9,
    score: 3,
    reason: `${HOSTILE} sent 5 GB.`,
    changeBytes: 4e9,
    changePct: 400,
    ...extra,
  };
}

function expectSafe(msg: { text: string; blocks: unknown[] }) {
  const json = JSON.stringify(msg);
  expect(json).not.toContain('<!channel>');
  expect(json).not.toContain('<@U0EVIL>');
  expect(msg.blocks.length).toBeLessThanOrEqual(50);
  expect(msg.text.length).toBeLessThanOrEqual(4000);
  expect(messageTextLength(msg as never)).toBeLessThan(10_000);
}

describe('grouped message', () => {
  it('lists 150 alerts within the limits, with menus of at most 100 short options', () => {
    const rows: GroupRow[] = Array.from({ length: 150 }, (_, i) => ({ alertId: i + 1, finding: finding(i), status: 'open' }));
    const msg = buildGroupMessage({ day: '2026-03-10', rows });
    expectSafe(msg);
    expect(msg.text).toMatch(/^150 alerts on 2026-03-10: /);
    const actions = msg.blocks.find((b) => b.type === 'actions') as {
      elements: Array<{ options: Array<{ value: string; text: { text: string } }> }>;
    };
    expect(actions.elements).toHaveLength(4);
    for (const e of actions.elements) {
      expect(e.options.length).toBeLessThanOrEqual(100);
      for (const o of e.options) {
        expect(o.value.length).toBeLessThanOrEqual(150);
        expect(o.text.text.length).toBeLessThanOrEqual(75);
        expect(JSON.parse(o.value)).toMatchObject({ alertId: expect.any(Number), logId: null });
      }
    }
    expect(JSON.stringify(msg.blocks)).toContain('_and ');
  });

  it('has no menus once every row is over', () => {
    const msg = buildGroupMessage({ day: '2026-03-10', rows: [{ alertId: 1, finding: finding(1), status: 'resolved' }] });
    expect(msg.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(msg.blocks)).toContain('all are over');
  });

  it('lists one-off notices (new logs) without menus or an episode state', () => {
    const rows: GroupRow[] = Array.from({ length: 7 }, (_, i) => ({
      alertId: null,
      finding: finding(i, { kind: 'new' }),
      status: 'notice',
    }));
    const msg = buildGroupMessage({ day: '2026-03-10', rows });
    expect(JSON.stringify(msg.blocks)).toContain('7 alerts on Tue 2026-03-10* — grouped into one message.');
    expect(JSON.stringify(msg.blocks)).toContain('on its first day');
    expect(msg.blocks.some((b) => b.type === 'actions')).toBe(false);
  });
});

describe('log-set message', () => {
  it('lists its logs, escaped, and offers menus of its logs while open', () => {
    const members = Array.from({ length: 60 }, (_, i) => ({
      logId: `id-${i}`,
      logName: `${HOSTILE} host-${i}`,
      kind: 'silent' as const,
      value: 0,
      expected: 2e9,
      changeBytes: -2e9,
      silentSince: '2026-03-09',
    }));
    const f = finding(0, { scope: 'logset', kind: 'silent', logId: null, logName: `${HOSTILE} servers`, value: 0, expected: 120e9 });
    const msg = buildLogSetMessage({
      alertId: 7,
      finding: f,
      members,
      reporting: 61,
      state: 'open',
      firstDay: '2026-03-09',
      dayNumber: 2,
      spark: [1, 2, 3],
    });
    expectSafe(msg);
    expect(msg.text).toContain('60 of 61 logs of log set');
    expect(msg.blocks.some((b) => b.type === 'actions')).toBe(true);
    const resolved = buildLogSetMessage({
      alertId: 7,
      finding: f,
      members,
      reporting: 61,
      state: 'resolved',
      firstDay: '2026-03-09',
      dayNumber: 3,
      endDay: '2026-03-11',
      spark: [1, 2, 3],
    });
    expect(resolved.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(resolved.text).toMatch(/^Resolved: /);
  });
});

describe('organisation event notice', () => {
  it('says holiday or dip with the counts, and that no per-log drops are posted', () => {
    const f = finding(0, {
      kind: 'org',
      scope: 'org',
      logId: null,
      logName: 'organisation',
      value: 10e9,
      expected: 40e9,
      details: { orgEvent: 'holiday', logsAffected: 270, logsReporting: 300 },
    });
    const msg = buildOrgEventNotice(f, [1, 2]);
    expectSafe(msg);
    expect(msg.text).toMatch(/^Holiday: 270 of 300 logs sent less on Tue 2026-03-10, a holiday\. .*No per-log drop alerts for this day\./);
    const dip = buildOrgEventNotice({ ...f, details: { orgEvent: 'dip' } }, [1]);
    expect(dip.text).toMatch(/^Organisation-wide dip: most logs dipped together/);
  });
});
