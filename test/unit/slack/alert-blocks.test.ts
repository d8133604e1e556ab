import { describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../../src/slack/action-ids.js';
import { messageTextLength } from '../../../src/slack/block-kit.js';
import {
  type AlertAction,
  buildActionLog,
  buildAlertMessage,
  buildNewNormalNotice,
  buildNoticeMessage,
  buildResolvedReply,
  describeAlertAction,
} from '../../../src/slack/blocks/alert.js';
import { finding } from '../../support/builders.js';

const spark = Array.from({ length: 30 }, (_, i) => (i === 3 ? Number.NaN : 1e9 * (1 + (i % 7))));
const all = (m: { text: string; blocks: unknown[] }) => `${m.text}\n${JSON.stringify(m.blocks)}`;
/** The message of alert 12 (firewall-eu's spike, open since 2026-11-03, day 1), with `o` changed. */
const alertMessage = (o: Partial<Parameters<typeof buildAlertMessage>[0]> = {}) =>
  buildAlertMessage({ alertId: 12, finding: finding(), state: 'open', firstDay: '2026-11-03', dayNumber: 1, findingDays: 1, spark, ...o });

describe('alert message', () => {
  it('says what happened, about which log, actual vs expected with the band, the change, a sparkline and four buttons', () => {
    const m = alertMessage();
    const s = all(m);
    expect(m.text).toContain('Spike: firewall-eu');
    expect(m.text).toContain('Actual 48.2 GB, expected 15.6 GB: +209% (+32.6 GB).');
    expect(s).toContain('firewall-eu sent 48.2 GB, 3.1× its usual 15.6 GB for a Tuesday.');
    expect(s).toContain('Security, EU');
    expect(s).toContain('15.6 GB (normal 12 GB – 19 GB)');
    expect(s).toContain('Tue 2026-11-03');
    expect(s).toMatch(/Last 30 days `[▁▂▃▄▅▆▇█·]{30}`/);
    const actions = m.blocks.find((b) => b.type === 'actions') as {
      elements: Array<{ action_id: string; value: string; text: { text: string } }>;
    };
    expect(actions.elements.map((e) => e.action_id)).toEqual([
      ACTION_IDS.snoozeDay,
      ACTION_IDS.snoozeWeek,
      ACTION_IDS.acceptNormal,
      ACTION_IDS.muteLog,
    ]);
    expect(actions.elements.map((e) => e.text.text)).toEqual(['Snooze 1 day', 'Snooze 1 week', 'Mark as expected', 'Mute log']);
    expect(JSON.parse(actions.elements[0]?.value ?? '{}')).toEqual({ alertId: 12, logId: 'L1', kind: 'spike' });
  });

  it('shows the day of the episode on later days', () => {
    const m = alertMessage({ finding: finding({ day: '2026-11-05' }), dayNumber: 3, findingDays: 3 });
    expect(m.text).toContain('Day 3.');
    expect(all(m)).toContain('Thu 2026-11-05 (day 3)');
    expect(all(m)).toContain('Since Tue 2026-11-03 · 3 unusual days');
  });

  it('escapes every name so a log called <!channel> pings nobody', () => {
    const evil = finding({ logName: '<!channel> & <@U123>', logsets: ['<!here>'], reason: '<!channel> sent a lot & more' });
    const m = alertMessage({ alertId: 1, finding: evil });
    const s = all(m);
    expect(s).not.toContain('<!channel>');
    expect(s).not.toContain('<!here>');
    expect(s).not.toContain('<@U123>');
    expect(s).toContain('&lt;!channel&gt; &amp; &lt;@U123&gt;');
    for (const msg of [
      buildResolvedReply(evil, '2026-11-05', 2, 1e9),
      buildNewNormalNotice(evil, spark, { inThread: false }),
      buildNoticeMessage({ ...evil, kind: 'new' }, spark),
    ]) {
      expect(all(msg)).not.toContain('<!');
    }
  });

  it('drops the buttons once resolved and says so', () => {
    const m = alertMessage({ state: 'resolved', dayNumber: 4, findingDays: 2, endDay: '2026-11-05' });
    expect(m.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(m.text).toContain('Resolved: firewall-eu is back to normal');
    expect(all(m)).toContain('Back to normal since Thu 2026-11-05');
  });

  it('describes new normals, new logs and budget levels', () => {
    expect(buildNewNormalNotice(finding(), spark, { inThread: true }).text).toBe(
      'New normal: firewall-eu now sends about 48.2 GB/day (was 15.6 GB).',
    );
    const fresh = buildNoticeMessage(finding({ kind: 'new', reason: 'firewall-eu appeared with 48.2 GB.' }), spark);
    expect(fresh.text).toBe('New log: firewall-eu sent 48.2 GB on 2026-11-03.');
    const budget = buildNoticeMessage(
      finding({
        kind: 'budget',
        scope: 'org',
        logId: null,
        logName: 'organisation',
        logsets: [],
        value: 31e12,
        expected: 30e12,
        details: { level: 'projected-100', monthToDate: 12e12, projected: 31e12 },
        reason: 'Projected 31 TB of 30 TB.',
      }),
      spark,
    );
    expect(budget.text).toContain('The month is projected to go over the budget');
    expect(all(budget)).toContain('*Month to date*\\n12 TB');
    expect(all(budget)).toContain('*Projected month end*\\n31 TB');
    expect(all(budget)).toContain('*Share of budget*\\n103%');
  });

  it('stays inside Block Kit limits with absurdly long names', () => {
    const long = finding({
      logName: 'x'.repeat(5000),
      reason: 'y'.repeat(5000),
      logsets: Array.from({ length: 200 }, (_, i) => `set-${i}`),
    });
    const m = alertMessage({ alertId: 1, finding: long });
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    expect(messageTextLength(m)).toBeLessThan(10_000);
    for (const b of m.blocks) {
      const t = (b as { text?: { text: string } }).text?.text;
      if (t) expect(t.length).toBeLessThanOrEqual(3000);
    }
  });
});

describe('alert action log', () => {
  const snooze: AlertAction = {
    at: '2026-11-04T09:15:30.000Z',
    actor: 'UADMIN001',
    action: 'snooze',
    details: { until: '2026-11-05T09:15:30.000Z', durationMs: 86_400_000, alertId: 12, via: 'button' },
  };
  const mute: AlertAction = { at: '2026-11-04T10:00:00.000Z', actor: 'UADMIN002', action: 'mute', details: { alertId: 12 } };
  const accept: AlertAction = {
    at: '2026-11-04T11:00:00.000Z',
    actor: 'UADMIN001',
    action: 'accept-normal',
    details: { baselineFrom: '2026-11-03', alertId: 12 },
  };

  it('says who did what and when, one line per change', () => {
    expect(describeAlertAction(snooze, 'firewall-eu')).toBe(
      ':zzz: <@UADMIN001> snoozed *firewall-eu* for 1 day (until 2026-11-05 09:15 UTC) · 2026-11-04 09:15 UTC',
    );
    expect(describeAlertAction({ ...snooze, details: { ...snooze.details, durationMs: 7 * 86_400_000 } }, 'x')).toContain('for 1 week');
    expect(describeAlertAction({ ...snooze, details: { ...snooze.details, durationMs: 3 * 3_600_000 } }, 'x')).toContain('for 3h');
    expect(describeAlertAction(mute, 'firewall-eu')).toBe(
      ':no_bell: <@UADMIN002> muted *firewall-eu*: no alerts for it until `/logusage unmute` · 2026-11-04 10:00 UTC',
    );
    expect(describeAlertAction(accept, 'firewall-eu')).toBe(
      ':white_check_mark: <@UADMIN001> marked this as expected: the level of *firewall-eu* since 2026-11-03 is its new normal · 2026-11-04 11:00 UTC',
    );
    expect(describeAlertAction({ ...accept, details: null }, 'org')).toBe(
      ':white_check_mark: <@UADMIN001> marked this as expected · 2026-11-04 11:00 UTC',
    );
  });

  it('escapes names, actors and stored details', () => {
    const evil: AlertAction = {
      at: '<!here>',
      actor: '<!channel>',
      action: '<@U1> & co',
      details: { until: '<!everyone>', baselineFrom: '<@U2>' },
    };
    const lines = [
      describeAlertAction({ ...evil, action: 'snooze' }, '<!channel> & <@U3>'),
      describeAlertAction({ ...evil, action: 'accept-normal' }, '<!channel>'),
      describeAlertAction({ ...evil, action: 'mute' }, '<!channel>'),
      describeAlertAction(evil, '<!channel>'),
    ];
    for (const l of lines) expect(l).not.toMatch(/<[!@]/);
    expect(lines[0]).toContain('*&lt;!channel&gt; &amp; &lt;@U3&gt;*');
    expect(lines[3]).toContain('&lt;@U1&gt; &amp; co');
  });

  it('keeps the newest five, last in the message, in every state that rebuilds it', () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ ...mute, at: `2026-11-04T10:0${i}:00.000Z` }));
    const log = buildActionLog(many, 'firewall-eu') as { block_id: string; elements: Array<{ text: string }> };
    expect(log.block_id).toBe('logusage_action_log');
    expect(log.elements.map((e) => e.text.slice(-9))).toEqual(['10:02 UTC', '10:03 UTC', '10:04 UTC', '10:05 UTC', '10:06 UTC']);
    expect(buildActionLog([], 'firewall-eu')).toBeNull();
    for (const state of ['open', 'resolved', 'level-shift'] as const) {
      const base = {
        alertId: 12,
        finding: finding(),
        state,
        firstDay: '2026-11-03',
        dayNumber: 2,
        findingDays: 2,
        endDay: '2026-11-04',
        spark,
      };
      const m = buildAlertMessage({ ...base, actions: [snooze, mute] });
      expect(m.blocks.at(-1)).toEqual(buildActionLog([snooze, mute], 'firewall-eu'));
      expect(buildAlertMessage(base).blocks.some((b) => b.block_id === 'logusage_action_log')).toBe(false);
    }
  });
});
