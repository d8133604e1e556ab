/**
 * Feedback that tunes (SPEC §7), over real HTTP: the Useful / Noise buttons on a log alert, clicked as
 * Slack sends them. Noise from an admin widens the log's band one step (recorded, capped, undone by
 * Useful), the message's action log says so, `/logusage log` shows the sensitivity and the history,
 * and the next detection uses it: a day that alerted at the default band does not after one Noise.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readSettings } from '../../../src/config.js';
import type { Finding } from '../../../src/detect/types.js';
import { detectForDay } from '../../../src/pipeline/detect.js';
import { buildAlertMessage } from '../../../src/slack/blocks/alert.js';
import { UI_ACTION_IDS } from '../../../src/slack/ui-ids.js';
import { insertAlert } from '../../../src/store/alerts.js';
import { getLogSettings, listAudit } from '../../../src/store/controls.js';
import { FEEDBACK_MAX_STEPS, FEEDBACK_STEP } from '../../../src/store/feedback.js';
import { ADMIN, blockText, type Harness, LAST_DAY, NOW, seedHistory, startHarness, USER } from '../../support/slack-harness.js';

// web proxy: 10 GB on weekdays, 13.7 GB on the last day (+36 %: past its materiality floor at the default band,
// +32 % for a 10 GB log, and not past it one step wider, +40 %; docs/detection.md).
const LOGS = [
  { id: 'aaaa-1111', name: 'firewall-eu', logsets: ['Firewalls'], base: 50e9 },
  { id: 'cccc-3333', name: 'web proxy', logsets: ['Proxies'], base: 10e9, days: { [LAST_DAY]: 13.7e9 } },
];

let h: Harness;
let alertId: number;
let ts: string;
let finding: Finding;
const CH = 'C0ALERTS1';
const settings = readSettings({});

const value = () => JSON.stringify({ alertId, logId: 'cccc-3333', kind: 'spike' });

beforeAll(async () => {
  h = await startHarness();
  seedHistory(h.db, LOGS, 70);
  const [found] = detectForDay(h.db, LAST_DAY, settings).findings.filter((f) => f.logId === 'cccc-3333');
  if (!found) throw new Error('the seeded spike should alert at the default sensitivity');
  finding = found;
  alertId = insertAlert(h.db, {
    episodeKey: 'log:cccc-3333',
    scope: 'log',
    logId: 'cccc-3333',
    target: null,
    kind: finding.kind,
    status: 'open',
    day: LAST_DAY,
    channel: CH,
    finding,
    now: NOW.toISOString(),
  });
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

/** Posts the alert's message on the fake (as the outbox would); a click carries it back. */
async function postAlert() {
  const msg = buildAlertMessage({
    alertId,
    finding,
    state: 'open',
    firstDay: LAST_DAY,
    dayNumber: 1,
    findingDays: 1,
    spark: [],
  });
  const r = await h.app.app.client.chat.postMessage({ token: 'xoxb-test-token', channel: CH, text: msg.text, blocks: msg.blocks });
  ts = String(r.ts);
  return msg;
}

const click = (actionId: string, user: string, rid: string, message?: { text: string; blocks: unknown[] }) =>
  h.click({ actionId, value: value(), userId: user, channelId: CH, messageTs: ts, rid, ...(message ? { message } : {}) });

describe('Useful / Noise', () => {
  it('are on open log alerts', async () => {
    const msg = await postAlert();
    const ids = JSON.stringify(msg.blocks);
    expect(ids).toContain(UI_ACTION_IDS.feedbackUseful);
    expect(ids).toContain(UI_ACTION_IDS.feedbackNoise);
  });

  it('a non-admin is refused ephemerally, and nothing changes', async () => {
    await postAlert();
    for (const id of [UI_ACTION_IDS.feedbackNoise, UI_ACTION_IDS.feedbackUseful]) {
      const rid = `fb-user-${id}`;
      const res = await click(id, USER, rid);
      expect(res.status).toBe(200);
      await h.fake.waitFor(() => h.fake.responses(rid).length > 0);
      expect(String(h.fake.responses(rid)[0]?.text)).toMatch(/Only admins may tune alerts/);
    }
    expect(getLogSettings(h.db, 'cccc-3333')?.sensitivity ?? null).toBeNull();
    expect(listAudit(h.db, { target: 'cccc-3333' })).toHaveLength(0);
    expect(h.fake.callsTo('chat.update')).toHaveLength(0);
  });

  it('Noise from an admin widens the band one step, says so on the message, and /logusage log shows it', async () => {
    const msg = await postAlert();
    await click(UI_ACTION_IDS.feedbackNoise, ADMIN, 'fb-noise', msg);
    await h.fake.waitForCalls('chat.update');
    expect(getLogSettings(h.db, 'cccc-3333')?.sensitivity).toBe(1 + FEEDBACK_STEP);
    const updated = h.fake.message(CH, ts);
    expect(blockText(updated?.blocks ?? [])).toMatch(
      /<@UADMIN001> marked this alert about \*web proxy\* as noise \(sensitivity ×1 → ×1\.25\)/,
    );
    await h.fake.waitFor(() => h.fake.responses('fb-noise').length > 0);
    expect(String(h.fake.responses('fb-noise')[0]?.text)).toMatch(/band ×1 → ×1\.25/);
    const log = await h.ask('log proxy', { user: USER });
    const t = blockText(log.blocks);
    expect(t).toContain('*Sensitivity*: band ×1.25 (1 step wider than ×1: fewer alerts)');
    expect(t).toContain('Feedback: 1 noise, 0 useful');
    expect(t).toMatch(/<@UADMIN001> Noise → ×1\.25/);
    expect(t).toContain('marked an alert of web proxy as noise (sensitivity ×1 → ×1.25)');
  });

  it('the next detection uses it: the same day no longer alerts for that log', () => {
    const after = detectForDay(h.db, LAST_DAY, settings).findings.filter((f) => f.logId === 'cccc-3333');
    expect(after).toEqual([]);
  });

  it('Useful takes the step back (reversible), and the day alerts again', async () => {
    const msg = await postAlert();
    await click(UI_ACTION_IDS.feedbackUseful, ADMIN, 'fb-useful', msg);
    await h.fake.waitForCalls('chat.update');
    expect(getLogSettings(h.db, 'cccc-3333')?.sensitivity).toBe(1);
    expect(detectForDay(h.db, LAST_DAY, settings).findings.some((f) => f.logId === 'cccc-3333')).toBe(true);
    const t = blockText((await h.ask('log proxy', { user: USER })).blocks);
    expect(t).toContain('band ×1 (the global setting)');
    expect(t).toContain('Feedback: 1 noise, 1 useful');
    // Useful at the base changes nothing more (it never narrows the band below the base).
    await click(UI_ACTION_IDS.feedbackUseful, ADMIN, 'fb-useful-2');
    await h.fake.waitFor(() => h.fake.responses('fb-useful-2').length > 0);
    expect(getLogSettings(h.db, 'cccc-3333')?.sensitivity).toBe(1);
    expect(String(h.fake.responses('fb-useful-2')[0]?.text)).toMatch(/stays as it is/);
  });

  it('repeated Noise moves it further, within bounds', async () => {
    await postAlert();
    for (let i = 0; i < FEEDBACK_MAX_STEPS + 2; i++) {
      const rid = `fb-cap-${i}`;
      await click(UI_ACTION_IDS.feedbackNoise, ADMIN, rid);
      await h.fake.waitFor(() => h.fake.responses(rid).length > 0);
    }
    expect(getLogSettings(h.db, 'cccc-3333')?.sensitivity).toBe(1 + FEEDBACK_MAX_STEPS * FEEDBACK_STEP);
    expect(String(h.fake.responses(`fb-cap-${FEEDBACK_MAX_STEPS + 1}`)[0]?.text)).toMatch(/already at the widest band/);
    // Every click is recorded, the ones at the bound too (3 in the tests before this one).
    expect(listAudit(h.db, { target: 'cccc-3333', limit: 100 }).filter((a) => a.action === 'feedback')).toHaveLength(
      3 + FEEDBACK_MAX_STEPS + 2,
    );
  });
});
