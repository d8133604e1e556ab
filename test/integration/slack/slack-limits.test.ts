/**
 * Block Kit limits on a database of 5,000 logs with hostile and 5,000-character names, the empty
 * LOGUSAGE_ADMINS refusal, and a rate-limited upload — against the real Bolt app over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAlert } from '../../../src/store/alerts.js';
import { countAudit, setThreshold } from '../../../src/store/controls.js';
import { blockText, type Harness, LAST_DAY, NOW, type SeedLog, seedHistory, startHarness, USER } from '../../support/slack-harness.js';

const HOSTILE = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@UEVIL0001>',
  '<https://evil.example|click>',
  '*bold* _it_ ~s~ `code`',
  '&amp; & &lt;',
];

function logs(): SeedLog[] {
  return Array.from({ length: 5000 }, (_, i) => {
    const tag = HOSTILE[i % HOSTILE.length] as string;
    const long = i % 10 === 0 ? ` ${'L'.repeat(5000)}` : '';
    return {
      id: `log-${String(i).padStart(5, '0')}`,
      name: `${tag} service ${i}${long}`,
      logsets: [`${tag} set ${i % 40}${long}`],
      base: 1e6 * (1 + (i % 997)),
    };
  });
}

function limits(r: { text: string; blocks: unknown[]; raw: Record<string, unknown> }, label: string) {
  expect(r.blocks.length, label).toBeLessThanOrEqual(50);
  let total = 0;
  for (const b of r.blocks as Array<{ type: string; text?: { text: string }; elements?: Array<{ text?: string }> }>) {
    if (b.type === 'section') expect(b.text?.text.length ?? 0, label).toBeLessThanOrEqual(3000);
    total += b.text?.text.length ?? 0;
    for (const e of b.elements ?? []) total += e.text?.length ?? 0;
  }
  expect(total, label).toBeLessThan(10_000);
  expect(r.text.length, label).toBeLessThan(10_000);
  const json = JSON.stringify(r.raw);
  for (const raw of ['<!channel>', '<!here>', '<!everyone>', '<@UEVIL0001>', '<https://evil'])
    expect(json, `${label}: raw ${raw}`).not.toContain(raw);
  expect(JSON.stringify(r.raw).length, label).toBeLessThan(40_000);
}

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  seedHistory(h.db, logs(), 35);
  for (let i = 0; i < 300; i++) {
    const id = `log-${String(i).padStart(5, '0')}`;
    insertAlert(h.db, {
      episodeKey: `log:${id}`,
      scope: 'log',
      logId: id,
      target: null,
      kind: i % 2 ? 'spike' : 'drop',
      status: 'open',
      day: LAST_DAY,
      channel: 'C0ALERTS1',
      finding: {
        day: LAST_DAY,
        kind: i % 2 ? 'spike' : 'drop',
        scope: 'log',
        logId: id,
        logName: `${HOSTILE[i % HOSTILE.length]} ${'N'.repeat(i % 10 === 0 ? 5000 : 10)}`,
        logsets: [],
        value: 5e9,
        expected: 1e9,
        low: 8e8,
        high: 1.2e9,
        score: 3,
        reason: `${HOSTILE[i % HOSTILE.length]} sent 5× its usual ${'R'.repeat(i % 10 === 0 ? 3000 : 5)}`,
        changeBytes: 4e9,
        changePct: 400,
      },
      now: NOW.toISOString(),
    });
  }
  const who = { actor: 'UADMIN001', at: NOW.toISOString() };
  for (let i = 0; i < 400; i++)
    setThreshold(h.db, { scope: 'log', target: `log-${String(i).padStart(5, '0')}`, bytesPerDay: 1e9 + i }, who);
}, 60_000);
afterAll(() => h.close());

describe('messages stay within Block Kit limits on 5,000 hostile logs', () => {
  it.each([
    'summary',
    'top 100',
    'top 10',
    'alerts',
    'status',
    'threshold list',
    'log service',
    'log log-00010',
    'log log-00003',
    'route list',
    'help',
  ])('%s', async (cmd) => {
    const r = await h.ask(cmd, { user: USER });
    limits(r, cmd);
  });

  it('long lists end in "and N more"', async () => {
    const top = await h.ask('top 100', { user: USER });
    // top N lists all N: rows packed into sections, names shortened to fit.
    for (let i = 1; i <= 100; i++) expect(blockText(top.blocks)).toContain(`\n${i}. *`.slice(i === 1 ? 1 : 0));
    expect(blockText(top.blocks)).not.toMatch(/and \d+ more/);
    const alerts = await h.ask('alerts', { user: USER });
    expect(blockText(alerts.blocks)).toMatch(/300 open alerts/);
    expect(blockText(alerts.blocks)).toMatch(/and \d+ more/);
    const ambiguous = await h.ask('log service', { user: USER });
    expect(blockText(ambiguous.blocks)).toMatch(/matches 5000 names/);
    expect(blockText(ambiguous.blocks)).toMatch(/and 4990 more/);
    const thresholds = await h.ask('threshold list', { user: USER });
    expect(blockText(thresholds.blocks)).toMatch(/and \d+ more blocks not shown|and \d+ more/);
  });
});

describe('LOGUSAGE_ADMINS empty', () => {
  it("every change is refused with how to fix it, naming the caller's id", async () => {
    const h2 = await startHarness({ admins: '' });
    try {
      const before = countAudit(h2.db);
      const r = await h2.ask('budget set 10TB/month', { user: 'U0ASKER01' });
      expect(r.text).toContain('LOGUSAGE_ADMINS is empty');
      expect(r.text).toContain('LOGUSAGE_ADMINS=U0ASKER01');
      const click = await h2.ask('help', { user: 'U0ASKER01' });
      expect(click.text).toContain('Admins:');
      expect(countAudit(h2.db)).toBe(before);
    } finally {
      await h2.close();
    }
  });
});

describe('Slack rate limits', () => {
  it('a 429 with Retry-After on the upload is waited out and the chart still arrives', async () => {
    const h3 = await startHarness({ deps: { clientOptions: { retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 20 } } } });
    try {
      seedHistory(h3.db, [{ id: 'L1', name: 'fw', base: 1e9 }], 40);
      h3.fake.fail('files.getUploadURLExternal', { kind: 'ratelimit', retryAfter: 1 });
      const r = await h3.ask('chart fw');
      expect(r.text).toMatch(/Chart of fw posted/);
      const calls = h3.fake.callsTo('files.getUploadURLExternal');
      expect(calls).toHaveLength(2);
      expect(calls[0]?.fault).toMatchObject({ kind: 'ratelimit' });
      expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
      expect(h3.fake.files[0]?.bytes?.length).toBeGreaterThan(1000);
    } finally {
      await h3.close();
    }
  });
});
