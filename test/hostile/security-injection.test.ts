/**
 * SQL and mrkdwn in names and arguments are data, never code or mentions. Log and log-set names that
 * Rapid7 hands back (`<!channel>`, `'; DROP TABLE logs; --`, links, pre-escaped entities, 5,000
 * characters) flow through collect → detect → alerts → digest → the real Bolt app's replies, and
 * hostile arguments are typed into `/logusage`. Everything Slack receives is checked: within limits, no
 * unescaped `&`/`<`/`>`, no mention or link the bot did not mean; the database keeps the names byte for
 * byte, every table is still there, and it passes SQLite's integrity check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Day, daysInRange } from '../../src/days.js';
import { listAudit } from '../../src/store/controls.js';
import { listLogs } from '../../src/store/usage.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { type MessageLike, messageProblems, slackRuleProblems } from '../support/hostile.js';
import { buildData, logId } from '../support/rapid7.js';
import { ADMIN, type Harness, startHarness, USER } from '../support/slack-harness.js';
import { createWorld, type World } from '../support/world.js';

const FIRST: Day = '2026-01-20';
const DAY: Day = '2026-03-10';
const ROUTED = 'C0ROUTED01';

const NAMES = [
  '<!channel> & <@U0ADMIN01> *bold*',
  "'; DROP TABLE logs; --",
  'Robert"); DELETE FROM audit; --',
  '<https://evil.example|click here>',
  '%_\\ LIKE wildcards',
  `long ${'<!here>'.repeat(700)}`,
  '&lt;!everyone&gt;',
  'plain-log',
  // Slack's rules (SLACK.md): formatting, a shortcode, a URL, a line break and bidi controls around tokens.
  'x *zqbold* _zqit_ ~zqs~ `zqcode` :zqfire: https://zqevil.example/x \u202ezqrtl\u2066 zqbrk\nnext',
];
const LOGSETS = ["<!subteam^S0123|@team> '); DROP TABLE usage; --", 'Web &amp; <Friends>'];

/** The spike, the silence and the newcomer all carry hostile names. */
function dataset() {
  const days = daysInRange(FIRST, DAY);
  const data = buildData({
    logs: NAMES.length,
    days,
    logset: (i) => LOGSETS[i % 2],
    bytes: (i, day) => {
      if (i === 3 && day < DAY) return undefined;
      if (i === 1 && day >= '2026-03-08') return undefined;
      const v = (i + 1) * 1e9 * (1 + 0.02 * Math.sin(days.indexOf(day) + i));
      return Math.round(i === 0 && day === DAY ? v * 6 : v);
    },
  });
  NAMES.forEach((n, i) => {
    (data.logs[i] as { name: string }).name = n;
  });
  return data;
}

/** Everything the fake Slack received that people see: messages, updates, replies, ephemeral answers, upload comments. */
function seen(fake: FakeSlack): Array<{ where: string; message: MessageLike }> {
  const out: Array<{ where: string; message: MessageLike }> = [];
  for (const c of fake.calls) {
    if (['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'response_url'].includes(c.method)) {
      out.push({ where: c.method, message: { text: String(c.body.text ?? ''), blocks: (c.body.blocks as unknown[]) ?? [] } });
    }
    if (c.method === 'files.completeUploadExternal' && c.body.initial_comment) {
      out.push({ where: 'upload comment', message: { text: String(c.body.initial_comment), blocks: [] } });
    }
  }
  return out;
}

/** The mentions and channel links the bot writes on purpose: the admins who act, and configured channels. */
const ALLOWED = [ADMIN, USER].map((u) => `<@${u}>`).concat(['CALERTS01', 'CDIGEST01', 'C0ALERTS1', ROUTED].map((c) => `<#${c}>`));

function expectSafe(fake: FakeSlack, minMessages: number): void {
  const all = seen(fake);
  expect(all.length).toBeGreaterThanOrEqual(minMessages);
  const problems = all.flatMap((m) =>
    [
      ...new Set([
        ...messageProblems(m.message, ALLOWED),
        ...slackRuleProblems(m.message, { allowed: ALLOWED, names: [...NAMES, ...LOGSETS] }),
      ]),
    ].map((p) => `${m.where}: ${p}`),
  );
  expect(problems).toEqual([]);
  // Every chart says what it shows (files.uploadV2 alt_text).
  for (const f of fake.files) expect(f.altText ?? '').not.toBe('');
}

function expectDatabaseIntact(h: { db: World['db'] }): void {
  const tables = (h.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map(
    (t) => t.name,
  );
  for (const t of ['logs', 'usage', 'observed_days', 'org_usage', 'runs', 'audit', 'thresholds', 'routes', 'snoozes', 'alerts', 'outbox']) {
    expect(tables).toContain(t);
  }
  expect(h.db.pragma('integrity_check', { simple: true })).toBe('ok');
  const names = listLogs(h.db).map((l) => l.name);
  for (const n of NAMES) expect(names).toContain(n);
  expect(listLogs(h.db).flatMap((l) => l.logsets.map((s) => s.name))).toEqual(expect.arrayContaining(LOGSETS));
}

let d: World;
let app: Harness;

beforeAll(async () => {
  d = await createWorld({ data: dataset() });
  d.clock.now = new Date('2026-03-09T06:30:00Z');
  await d.collect(FIRST, '2026-03-08');
  await d.runDay('2026-03-09');
  await d.runDay(DAY);
  app = await startHarness({ db: d.db, env: { SLACK_ALERT_CHANNEL: 'C0ALERTS1' } });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await d?.close();
});

describe('hostile names from Rapid7, through the daily run', () => {
  it('alerts, notices and digests escape every name: no ping, no link, within limits', () => {
    const texts = seen(d.slack).map((m) => m.message.text);
    // The run did post about the hostile logs (the spike, the silence, the new log), escaped.
    expect(texts.some((t) => t.includes('&lt;!channel&gt; &amp; &lt;@U0ADMIN01&gt;'))).toBe(true);
    // …and neutralised: the colon of the URL carries zero-width guards, so nothing auto-links it (src/slack/mrkdwn.ts).
    expect(texts.some((t) => t.includes('&lt;https\u200d:\u200d//evil.example|click here&gt;'))).toBe(true);
    // The name built to break Slack's rules was shown (in the digest), guarded.
    expect(JSON.stringify(seen(d.slack))).toContain('\u200d*\u200dzqbold\u200d*\u200d');
    expectSafe(d.slack, 4);
  });

  it('the database keeps the names as data, byte for byte; every table is there and intact', () => {
    expectDatabaseIntact(d);
  });
});

describe('hostile arguments typed into /logusage', () => {
  const READS = [
    'summary',
    'top 20',
    'alerts',
    'status',
    'threshold list',
    'route list',
    "log '; DROP TABLE logs; --",
    'log &lt;!channel&gt;',
    'log Robert"); DELETE FROM audit; --',
    'log %',
    'log _',
    'log <https://evil.example|click here>',
    'log &amp;lt;!everyone&amp;gt;',
    "log ' OR 1=1 --",
    'log "<@U0ADMIN01>"',
    'chart &lt;!channel&gt; 30d',
    "chart '; DROP TABLE logs; -- 90d",
    "summary 2026-03-10'; DROP TABLE usage; --",
    'top 5; DROP TABLE logs',
    '<!channel> please',
    '&lt;!here&gt;',
  ];

  it.each(READS)('"%s" answers safely and changes nothing', async (text) => {
    const before = app.db
      .prepare('SELECT (SELECT count(*) FROM logs) AS logs, (SELECT count(*) FROM usage) AS usage, (SELECT count(*) FROM audit) AS audit')
      .get();
    app.fake.reset();
    const r = await app.ask(text, { user: USER });
    expect(r.text.length).toBeGreaterThan(0);
    // The answer itself (in the ack body or through response_url), and anything else Slack received.
    expect(messageProblems({ text: r.text, blocks: r.blocks }, ALLOWED)).toEqual([]);
    if (text.startsWith('chart'))
      await app.fake.waitFor(() => app.fake.callsTo('files.completeUploadExternal').length > 0 || app.fake.responses().length > 0);
    expectSafe(app.fake, 0);
    expect(
      app.db
        .prepare('SELECT (SELECT count(*) FROM logs) AS logs, (SELECT count(*) FROM usage) AS usage, (SELECT count(*) FROM audit) AS audit')
        .get(),
    ).toEqual(before);
  });

  it('a hostile log is found by its hostile name, and its chart renders and uploads', async () => {
    app.fake.reset();
    const r = await app.ask("log '; DROP TABLE logs; --", { user: USER });
    expect(r.text).toContain(`'; DROP TABLE logs; --`);
    expect(r.text).toContain(logId(1));
    const c = await app.ask('chart &lt;!channel&gt; 30d', { user: USER });
    // The name's markers carry zero-width guards: *bold* shows as typed but does not render bold.
    expect(c.text).toBe('Chart of &lt;!channel&gt; &amp; &lt;@U0ADMIN01&gt; \u200d*\u200dbold\u200d*\u200d posted to this channel.');
    expect(app.fake.files.filter((f) => f.bytes && f.bytes.length > 1000)).toHaveLength(1);
    expectSafe(app.fake, 2);
  });

  it('an admin’s changes on hostile names store the names as data and answer safely', async () => {
    app.fake.reset();
    const changes = [
      `threshold set log "'; DROP TABLE logs; --" 5GB/day`,
      'threshold set logset "Web &amp; &lt;Friends&gt;" 1TB/day',
      `snooze Robert"); DELETE FROM audit; -- 1d`,
      'mute &lt;https://evil.example|click here&gt;',
      `route "&lt;!subteam^S0123|@team&gt; '); DROP TABLE usage; --" <#${ROUTED}|sec>`,
      'threshold set logset "x\'); DELETE FROM audit; --" 5GB',
      'route nosuchset <#C0NOWHERE1|x>',
    ];
    for (const text of changes) {
      const r = await app.ask(text, { user: ADMIN });
      expect(r.text.length, text).toBeGreaterThan(0);
      expect(messageProblems({ text: r.text, blocks: r.blocks }, ALLOWED), text).toEqual([]);
    }
    expectSafe(app.fake, 0);
    const audit = listAudit(app.db, { limit: 20 });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['threshold.set', 'snooze', 'mute', 'route.set']));
    expect(JSON.stringify(audit)).toContain(LOGSETS[0]?.replace(/"/g, '\\"'));
    expectDatabaseIntact(d);
    // What an admin sees afterwards lists the hostile names, escaped.
    app.fake.reset();
    for (const t of ['threshold list', 'route list', 'status', "log '; DROP TABLE logs; --", 'alerts']) {
      const r = await app.ask(t, { user: ADMIN });
      expect(messageProblems({ text: r.text, blocks: r.blocks }, ALLOWED), t).toEqual([]);
    }
    expectSafe(app.fake, 0);
  });
});
