/**
 * Who did what on an alert message survives the daily updates: a Snooze click through the REAL Bolt app
 * writes its line into the message, and the next days' chat.update of the same episode (the daily run
 * through the outbox, against the same fake Slack and database) carries the same line, escaped.
 */
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../../src/config.js';
import { addDays, type Day, daysInRange } from '../../../src/days.js';
import { createSilentLogger } from '../../../src/logger.js';
import { ACTION_IDS } from '../../../src/slack/action-ids.js';
import { createSlackApp } from '../../../src/slack/app.js';
import { hasBlockRole } from '../../../src/slack/block-ids.js';
import { getAlert, listOpenAlerts } from '../../../src/store/alerts.js';
import { listAudit } from '../../../src/store/controls.js';
import { ALERTS, startDailyHarness, TOKEN } from '../../support/daily-harness.js';
import { CALL_ONCE, type FakeSlackCall, sendBlockAction } from '../../support/fake-slack.js';
import { buildData, logId } from '../../support/rapid7.js';

const FIRST: Day = '2026-02-01';
const LAST: Day = '2026-03-12';
const SPIKE_DAYS: Day[] = ['2026-03-06', '2026-03-07', '2026-03-08'];
const SECRET = 'action-log-signing-secret';
const ADMIN = 'UADMIN001';
const GB = 1e9;
/** A name that would ping the channel and break mrkdwn if it were not escaped. */
const NAME = 'fw <!channel> & <@UEVIL0001>';
const SHOWN = 'fw &lt;!channel&gt; &amp; &lt;@UEVIL0001&gt;';

function dataset() {
  const days = daysInRange(FIRST, LAST);
  const data = buildData({
    logs: 3,
    days,
    logset: () => 'Web',
    bytes: (i, day) => {
      const v = (i + 1) * GB * (1 + 0.03 * Math.sin(days.indexOf(day) * 1.7 + i));
      return Math.round(i === 0 && SPIKE_DAYS.includes(day) ? v * 4 : v);
    },
  });
  (data.logs[0] as { name: string }).name = NAME;
  return data;
}

type Blocks = Array<{ block_id?: string; type: string; elements?: Array<{ text?: string }> }>;
const actionLog = (call: FakeSlackCall | undefined) =>
  (call?.body.blocks as Blocks | undefined)?.find((b) => hasBlockRole(b, 'logusage_action_log'));

describe('alert action log', () => {
  it('a Snooze click stays on the message through the next updates and the resolve', async () => {
    const h = await startDailyHarness({ data: dataset() });
    const logger = createSilentLogger();
    h.clock.now = new Date(`${SPIKE_DAYS[0]}T06:00:00Z`);
    await h.collect(FIRST, addDays(SPIKE_DAYS[0] as Day, -1));
    const app = createSlackApp({
      settings: readSettings({
        SLACK_BOT_TOKEN: TOKEN,
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: h.slack.apiUrl,
        SLACK_ALERT_CHANNEL: ALERTS,
        LOGUSAGE_ADMINS: ADMIN,
        PORT: '0',
      }),
      db: h.db,
      logger,
      now: () => h.clock.now,
      clientOptions: CALL_ONCE,
    });
    const { port } = await app.start(0);
    try {
      // Day 1: the episode's message is posted.
      await h.runDay(SPIKE_DAYS[0] as Day);
      const [alert] = listOpenAlerts(h.db);
      expect(alert?.logId).toBe(logId(0));
      const post = h.slack.messages.find((m) => !m.threadTs && m.channel === ALERTS && m.text?.startsWith('Spike:'));
      if (!post) throw new Error('no alert message was posted');
      const ts = post.ts;
      const posted = structuredClone(post.blocks ?? []);
      const updatesOf = () => h.slack.callsTo('chat.update').filter((c) => c.body.ts === ts && !c.fault);

      // Someone snoozes it for a day at 09:15 the next morning, through Bolt.
      h.clock.now = new Date('2026-03-07T09:15:00.000Z');
      const snooze = (post.blocks as Blocks)
        .find((b) => b.type === 'actions')
        ?.elements?.find((e) => (e as { action_id?: string }).action_id === ACTION_IDS.snoozeDay) as { value: string };
      const res = await sendBlockAction(`http://127.0.0.1:${port}/slack/events`, SECRET, {
        actionId: ACTION_IDS.snoozeDay,
        value: snooze.value,
        userId: ADMIN,
        channelId: ALERTS,
        messageTs: ts,
        message: { text: post.text ?? '', blocks: post.blocks ?? [] },
        responseUrl: h.slack.responseUrl('click'),
      });
      expect(res.status).toBe(200);
      await h.slack.waitFor(() => updatesOf().length === 1, 30_000);
      const line = `:zzz: <@${ADMIN}> snoozed *${SHOWN}* for 1 day (until 2026-03-08 09:15 UTC) · 2026-03-07 09:15 UTC`;
      const clicked = actionLog(updatesOf()[0]);
      expect(clicked?.elements?.map((e) => e.text)).toEqual([line]);
      expect(listAudit(h.db, { limit: 1 })[0]).toMatchObject({ action: 'snooze', details: { alertId: alert?.id, via: 'button' } });

      // Day 2 is judged while the snooze lasts (06:30 < 09:15): held, the message is left alone.
      await h.runDay(SPIKE_DAYS[1] as Day);
      expect(updatesOf()).toHaveLength(1);

      // Day 3: the snooze is over, the log still spikes: the daily update rebuilds the message — and keeps the line.
      await h.runDay(SPIKE_DAYS[2] as Day);
      expect(updatesOf()).toHaveLength(2);
      const next = updatesOf()[1];
      expect(String(next?.body.text)).toMatch(/Day 3\.$/);
      expect(actionLog(next)?.elements).toEqual(clicked?.elements);
      // What people see in the channel now: the rebuilt message, the line last.
      const shown = (h.slack.message(ALERTS, ts)?.blocks ?? []) as Blocks;
      expect(shown.at(-1)?.elements).toEqual(clicked?.elements);
      // …under a new block_id: each version of the message has its own (SLACK.md "Rules").
      expect(shown.at(-1)?.block_id).not.toBe(clicked?.block_id);
      expect(shown.some((b) => b.type === 'actions')).toBe(true);

      // Back to normal for two days: the resolved message keeps it too.
      await h.runDay('2026-03-09');
      await h.runDay('2026-03-10');
      expect(getAlert(h.db, alert?.id as number)?.status).toBe('resolved');
      const resolved = updatesOf().at(-1);
      expect(String(resolved?.body.text)).toMatch(/^Resolved: /);
      expect(actionLog(resolved)?.elements).toEqual(clicked?.elements);

      // Each version of the message (post, click, daily updates, resolve) has block_ids of its own.
      const versions = [posted, ...updatesOf().map((c) => c.body.blocks as unknown[])].map((bs) =>
        (bs as Blocks).map((b) => b.block_id).filter((id) => id !== undefined),
      );
      expect(versions.length).toBeGreaterThanOrEqual(4);
      for (const [i, ids] of versions.entries()) {
        for (const earlier of versions.slice(0, i)) expect(ids.filter((id) => earlier.includes(id))).toEqual([]);
      }

      // Every update carried the name escaped: nothing in them pings anyone.
      for (const c of updatesOf()) {
        const body = JSON.stringify(c.body);
        expect(body).not.toContain('<!channel>');
        expect(body).not.toContain('<@UEVIL0001>');
      }
    } finally {
      await app.stop();
    }
  });
});
