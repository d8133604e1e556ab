/** The /logusage Block Kit builders: hostile text is inert, limits hold whatever the data. */
import { describe, expect, it } from 'vitest';
import { daysInRange } from '../../../src/days.js';
import { type Block, SLACK_LIMITS, type SlackMessage, section } from '../../../src/slack/block-kit.js';
import { buildAlertsList } from '../../../src/slack/blocks/alerts-list.js';
import { buildNotAllowed, buildUsageError, formatChangePct } from '../../../src/slack/blocks/common.js';
import { buildHelp } from '../../../src/slack/blocks/help.js';
import { buildCandidates, buildLogDetail } from '../../../src/slack/blocks/log-detail.js';
import { buildStatus } from '../../../src/slack/blocks/status.js';
import { buildSummary } from '../../../src/slack/blocks/summary.js';
import { buildTop } from '../../../src/slack/blocks/top.js';
import { sparkline } from '../../../src/slack/mrkdwn.js';
import { withActionLine } from '../../support/blocks.js';

const HOSTILE = ['<!channel>', '<!here>', '<@UEVIL0001>', '<https://evil.example|click me>', '<#CEVIL0001>', 'a & b'];
const hostileName = (i: number) => `${HOSTILE[i % HOSTILE.length]} log ${i}`;
const RAW_FORBIDDEN = ['<!channel>', '<!here>', '<@UEVIL0001>', '<https://evil', '<#CEVIL0001>'];

function texts(msg: SlackMessage): string[] {
  const out: string[] = [msg.text];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) k === 'text' && typeof x === 'string' ? out.push(x) : walk(x);
  };
  walk(msg.blocks);
  return out;
}

function expectWithinLimits(msg: SlackMessage): void {
  expect(msg.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  let total = 0;
  for (const b of msg.blocks as unknown as Array<Record<string, unknown>>) {
    const t = b.text as { text?: string } | undefined;
    if (b.type === 'section') expect(t?.text?.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    if (b.type === 'header') expect(t?.text?.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    if (b.type === 'context') expect((b.elements as unknown[]).length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
  }
  for (const t of texts(msg).slice(1)) total += t.length;
  expect(total).toBeLessThan(SLACK_LIMITS.messageChars);
  expect(msg.text.length).toBeLessThan(SLACK_LIMITS.messageChars);
  expect(msg.text.length).toBeGreaterThan(0);
}

function expectInert(msg: SlackMessage): void {
  for (const t of texts(msg)) for (const f of RAW_FORBIDDEN) expect(t, `raw ${f} in ${t.slice(0, 200)}`).not.toContain(f);
}

const days = daysInRange('2026-02-09', '2026-03-10');
const spark = sparkline(days.map((_, i) => (i % 7) * 1e9));

describe('builders escape every dynamic string', () => {
  it('summary, top, log detail, alerts, status, candidates', () => {
    const msgs: SlackMessage[] = [
      buildSummary({
        day: '2026-03-10',
        observed: true,
        total: 6e12,
        expected: { expected: 5e12, low: 4e12, high: 5.5e12 },
        spark,
        month: { month: '2026-03', toDate: 5e13, daysCounted: 10, daysInMonth: 31, projected: 1.5e14 },
        budget: { bytes: 1e14, source: 'slack' },
        top: HOSTILE.map((_, i) => ({ logId: `id${i}`, name: hostileName(i), bytes: 1e9, expected: 9e8, spark })),
        logsWithData: 6,
        openAlerts: 2,
        findings: HOSTILE.map((h, i) => ({ kind: 'spike', logName: hostileName(i), reason: `${h} sent 3× its usual` })),
      }),
      buildTop({
        day: '2026-03-10',
        observed: true,
        requested: 10,
        rows: HOSTILE.map((h, i) => ({ logId: `id${i}`, name: hostileName(i), logsets: [h], bytes: 1e9, expected: null, spark })),
        logsWithData: 6,
        totalBytes: 6e9,
      }),
      buildLogDetail({
        log: { id: '<!channel>', name: '<!channel>', logsets: ['<!here>'], inManagement: false, firstSeen: null, lastSeen: null },
        latestDay: '2026-03-10',
        latest: 1e9,
        typical: null,
        days,
        values: days.map(() => 1e9),
        spark,
        thresholds: [{ id: 1, scope: 'logset', target: '<!here>', bytesPerDay: 5e9 }],
        muted: true,
        snoozedUntil: '2026-03-12T08:00:00.000Z',
        baselineFrom: '2026-03-01',
        alerts: [{ id: 1, kind: 'spike', status: 'open', firstDay: '2026-03-09', lastDay: '2026-03-10', reason: '<!channel> doubled' }],
        changes: [{ at: '2026-03-10T10:00:00.000Z', actor: '<!channel>', what: 'muted <@UEVIL0001>' }],
      }),
      buildAlertsList(
        HOSTILE.map((h, i) => ({
          id: i,
          kind: 'drop',
          name: hostileName(i),
          firstDay: '2026-03-09',
          lastDay: '2026-03-10',
          findingDays: 2,
          value: 1,
          expected: 2,
          reason: h,
          channel: '<!channel>',
        })),
        6,
      ),
      buildStatus({
        runs: [
          {
            job: 'run-daily',
            status: 'failed',
            startedAt: '2026-03-10T06:30:00.000Z',
            durationMs: 1200,
            error: '<!channel> broke',
            day: '2026-03-09',
          },
        ],
        nextRun: null,
        coverage: { observedDays: 1, firstDay: '2026-03-10', lastDay: '2026-03-10', logs: 1, activeLogs: 1, orgDays: 1 },
        budget: { bytes: undefined, source: 'none' },
        openAlerts: 0,
        snoozed: 0,
        muted: 0,
        thresholds: 0,
        admins: 0,
        changes: [{ at: '2026-03-10T10:00:00.000Z', actor: 'UADMIN001', what: 'snoozed <!here> for 1d' }],
      }),
      buildCandidates(
        '<!channel>',
        HOSTILE.map((h, i) => ({ id: `<@UEVIL0001>${i}`, name: h })),
        40,
        'log <!channel>',
      ),
      buildUsageError('no log matches "<!channel>"', 'log <!here>'),
      buildNotAllowed('mute <!channel>', '<!here>', false),
      buildHelp({ isAdmin: false, adminsConfigured: false }),
    ];
    for (const m of msgs) {
      expectInert(m);
      expectWithinLimits(m);
    }
    expect(JSON.stringify(msgs[0])).toContain('&lt;!channel&gt; log 0');
  });

  it('the log detail mentions only well-formed user ids', () => {
    const m = buildLogDetail({
      log: { id: 'L1', name: 'x', logsets: [], inManagement: true, firstSeen: null, lastSeen: null },
      latestDay: null,
      latest: null,
      typical: null,
      days: [],
      values: [],
      spark: '',
      thresholds: [],
      muted: false,
      snoozedUntil: null,
      baselineFrom: null,
      alerts: [],
      changes: [{ at: '2026-03-10T10:00:00.000Z', actor: 'UADMIN001', what: 'muted x' }],
    });
    expect(JSON.stringify(m.blocks)).toContain('<@UADMIN001>');
  });

  it("the refusal says how to fix an empty LOGUSAGE_ADMINS with the caller's id", () => {
    const m = buildNotAllowed('change thresholds', 'U0ME12345', false);
    expect(m.text).toContain('LOGUSAGE_ADMINS=U0ME12345');
  });
});

describe('builders stay within Block Kit limits on huge inputs', () => {
  const long = (i: number) => `${hostileName(i)} ${'n'.repeat(5000)}`;
  it('top 100 with 5,000-character names', () => {
    const m = buildTop({
      day: '2026-03-10',
      observed: true,
      requested: 100,
      rows: Array.from({ length: 100 }, (_, i) => ({
        logId: `id${i}`,
        name: long(i),
        logsets: [long(i), long(i + 1)],
        bytes: 1e9,
        expected: 1e9,
        spark,
      })),
      logsWithData: 5000,
      totalBytes: 5e12,
    });
    expectWithinLimits(m);
    expectInert(m);
    // All 100 rows are listed (names shortened to fit), none left out.
    const shown = JSON.stringify(m.blocks);
    for (let i = 1; i <= 100; i++) expect(shown).toContain(`${i}. *`);
    expect(shown).not.toMatch(/and \d+ more/);
  });
  it('1,000 open alerts', () => {
    const alerts = Array.from({ length: 1000 }, (_, i) => ({
      id: i,
      kind: 'spike',
      name: long(i),
      firstDay: '2026-03-01',
      lastDay: '2026-03-10',
      findingDays: 3,
      value: 3e9,
      expected: 1e9,
      reason: long(i),
      channel: 'C0ALERTS1',
    }));
    const m = buildAlertsList(alerts.slice(0, 200), 1000);
    expectWithinLimits(m);
    expectInert(m);
    expect(JSON.stringify(m.blocks)).toMatch(/and \d+ more/);
  });
  it('a summary of long names and many findings', () => {
    const m = buildSummary({
      day: '2026-03-10',
      observed: true,
      total: 1,
      expected: null,
      spark,
      month: { month: '2026-03', toDate: 1, daysCounted: 1, daysInMonth: 31, projected: null },
      budget: null,
      top: Array.from({ length: 5 }, (_, i) => ({ logId: `id${i}`, name: long(i), bytes: 1, expected: null, spark })),
      logsWithData: 5,
      openAlerts: 0,
      findings: Array.from({ length: 500 }, (_, i) => ({ kind: 'new', logName: long(i), reason: long(i) })),
    });
    expectWithinLimits(m);
    expectInert(m);
  });
});

describe('alert message action line', () => {
  it('appends who-did-what, keeping at most 5 lines and the other blocks', () => {
    let blocks: Block[] = [section('alert'), { type: 'actions', block_id: 'alert_actions', elements: [] } as unknown as Block];
    for (let i = 0; i < 7; i++) blocks = withActionLine(blocks, `line ${i}`);
    expect(blocks).toHaveLength(3);
    const log = blocks[2] as { block_id: string; elements: Array<{ text: string }> };
    expect(log.block_id).toBe('logusage_action_log');
    expect(log.elements.map((e) => e.text)).toEqual(['line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
  });
});

describe('formatChangePct', () => {
  it('formats signs, new and unknown', () => {
    expect(formatChangePct(150, 100)).toBe('+50%');
    expect(formatChangePct(50, 100)).toBe('−50%');
    expect(formatChangePct(100.4, 100)).toBe('+0.4%');
    expect(formatChangePct(5, 0)).toBe('new');
    expect(formatChangePct(5, null)).toBe('');
  });
});
