/**
 * Property tests of every Block Kit builder on generated names and numbers: the message always has a
 * plain-text fallback, stays within Slack's limits (≤ 50 blocks, ≤ 3,000 characters a section, ≤ 150 a
 * header, < 10k characters in all), and holds no unescaped `&`, `<` or `>` — so a name like `<!channel>`
 * or `<@U…>` is shown, never acted on. The only special sequences allowed are the ones the bot writes
 * itself from well-formed ids (who clicked, a routed channel).
 *
 * Slack's "should" rules (SLACK.md "Rules …", checked by `slackRuleProblems`) hold too, on every builder
 * and every `/logusage` reply over stored logs with hostile names: block_ids ≤ 255, unique, new on every
 * update (found by role / action_id); ≤ 50 blocks; fallback ≤ 4,000 characters with names shortened;
 * `verbatim: true` on mrkdwn; no formatting, shortcode, link, line break or bidi control live from a
 * name; a confirm dialog on the danger button; alt_text on images; `top N` lists all N. Runs are bounded
 * and seeded (SEED), so every run checks the same cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config.js';
import type { Day } from '../../src/days.js';
import { daysInRange } from '../../src/days.js';
import type { Finding, FindingKind } from '../../src/detect/types.js';
import { createSilentLogger } from '../../src/logger.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { hasBlockRole, renewBlockIds } from '../../src/slack/block-ids.js';
import { type Block, fitMessage, type SlackMessage, section } from '../../src/slack/block-kit.js';
import {
  ACTION_LOG_BLOCK_ID,
  buildAlertMessage,
  buildNewNormalNotice,
  buildNoticeMessage,
  buildResolvedReply,
} from '../../src/slack/blocks/alert.js';
import { buildAlertsList } from '../../src/slack/blocks/alerts-list.js';
import { buildCauseMessage, buildCauseUnavailable } from '../../src/slack/blocks/cause.js';
import { buildFailure, buildNotAllowed, buildUsageError } from '../../src/slack/blocks/common.js';
import { buildDigest, buildWeeklyDigest } from '../../src/slack/blocks/digest.js';
import { buildGroupMessage, buildLogSetMessage, buildOrgEventNotice } from '../../src/slack/blocks/grouped.js';
import { buildHelp } from '../../src/slack/blocks/help.js';
import { buildHome } from '../../src/slack/blocks/home.js';
import { buildCandidates, buildLogDetail } from '../../src/slack/blocks/log-detail.js';
import { buildBudgetModal, buildExpectModal, buildNoticeModal, buildThresholdModal } from '../../src/slack/blocks/modals.js';
import { buildCreepMessage, orgDigestSection } from '../../src/slack/blocks/org.js';
import { buildStatus } from '../../src/slack/blocks/status.js';
import { buildSummary } from '../../src/slack/blocks/summary.js';
import { buildTop } from '../../src/slack/blocks/top.js';
import { parseCommand } from '../../src/slack/command-parser.js';
import type { MembershipState } from '../../src/slack/membership.js';
import { escapeMrkdwn, shownName, sparkline, truncate } from '../../src/slack/mrkdwn.js';
import { createSlackService } from '../../src/slack/service.js';
import { insertAlert } from '../../src/store/alerts.js';
import { openDb } from '../../src/store/db.js';
import { writeCollection } from '../../src/store/usage.js';
import { withActionLine } from '../support/blocks.js';
import { commandText, hostileText, messageProblems, renderedTexts, ruleName, slackRuleProblems } from '../support/hostile.js';

/** Names of logs and log sets: hostile text and names built to break Slack's rules (test/support/hostile.ts). */
const hostileName = ruleName;

const RUNS = 400;
/** Fixed seed: the same cases on every run (a failure prints its path to replay it). */
const SEED = 0x5_1ac_13;

const day: fc.Arbitrary<Day> = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const iso = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
/** Bytes as detection and the store produce them: whole, non-negative, from nothing to exabytes. */
const bytes = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5_000 }), fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.constant(1e18));
const maybeBytes = fc.option(bytes, { nil: null });
const spark = fc.array(fc.oneof(bytes, fc.constant(Number.NaN)), { maxLength: 90 });
/** Ids the bot turns into mentions / channel links on purpose; hostile names never contain them. */
const userId = fc.oneof(fc.stringMatching(/^U[A-Z0-9]{8}$/), hostileText);
const channel = fc.oneof(fc.stringMatching(/^C[A-Z0-9]{8}$/), fc.constant(null), hostileText);
const kinds: FindingKind[] = ['spike', 'drop', 'silent', 'new', 'threshold', 'budget'];

const finding: fc.Arbitrary<Finding> = fc.record({
  day,
  kind: fc.constantFrom(...kinds),
  scope: fc.constantFrom('log', 'logset', 'org'),
  logId: fc.option(hostileText, { nil: null }),
  logName: hostileName,
  logsets: fc.array(hostileName, { maxLength: 6 }),
  value: bytes,
  expected: bytes,
  low: bytes,
  high: bytes,
  score: fc.double({ min: 0, max: 1e6, noNaN: true }),
  reason: fc.oneof(hostileText, hostileName),
  changeBytes: fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  changePct: fc.option(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { nil: null }),
  details: fc.option(
    fc.record({
      level: fc.constantFrom('projected-80', 'projected-100', 'actual-100', '<!channel>'),
      monthToDate: bytes,
      projected: bytes,
      // Set by the alert stage: the cause Log Search found, the log set's owner (a user group is mentioned).
      cause: fc.option(hostileName, { nil: undefined }),
      owner: fc.option(fc.oneof(fc.stringMatching(/^S[A-Z0-9]{8}$/), hostileText), { nil: undefined }),
    }),
    { nil: undefined },
  ),
}) as fc.Arbitrary<Finding>;

/** Mentions and channel links the bot writes itself from well-formed ids found in `values`. */
function allowedFrom(...values: unknown[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      if (/^[UW][A-Z0-9]{2,}$/.test(v)) out.push(`<@${v}>`);
      if (/^[CG][A-Z0-9]+$/.test(v)) out.push(`<#${v}>`);
      if (/^S[A-Z0-9]{2,30}$/.test(v)) out.push(`<!subteam^${v}>`);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  values.forEach(walk);
  return out;
}

/** Text that only a bug makes: a missing value or a number that is not one, shown to people. */
const JUNK = /undefined|\[object Object\]|NaN ?(B|KB|MB|GB|TB|PB|%)|Infinity/g;

/**
 * Throws with every problem of `m`. Junk whose token (NaN, undefined, …) was already in the generated
 * `input` is not the builder's: generated text such as a user id "NaN" can sit next to a unit.
 */
function check(m: SlackMessage, allowed: string[] = [], input: unknown = undefined): void {
  const names: string[] = [];
  const collect = (v: unknown) => {
    if (typeof v === 'string') names.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  collect(input);
  const problems = [...new Set([...messageProblems(m, allowed), ...slackRuleProblems(m, { allowed, names })])];
  const given = JSON.stringify(input) ?? '';
  const token = (j: string) => /^(undefined|\[object Object\]|NaN|Infinity)/.exec(j)?.[0] ?? j;
  const junk = renderedTexts(m).flatMap((t) => [...t.matchAll(JUNK)].map((x) => x[0]).filter((j) => !given.includes(token(j))));
  if (problems.length > 0 || junk.length > 0) throw new Error([...problems, ...junk.map((j) => `junk text: ${j}`)].join('\n'));
}

/** A row of the digest, summary and top lists. */
const line = fc.record({ logId: hostileText, name: hostileName, bytes, expected: maybeBytes, spark: spark.map((s) => sparkline(s)) });
/** The day's figures the digest and the summary open with (spread first into their records, in this order). */
const dayFigures = {
  day,
  observed: fc.boolean(),
  total: maybeBytes,
  expected: fc.option(fc.record({ expected: bytes, low: bytes, high: bytes }), { nil: null }),
  spark: spark.map((s) => sparkline(s)),
};

describe('Block Kit builders on generated names and numbers', () => {
  it('limits count UTF-16 units, as the message budget does: 3,000 emoji make a 3,000-unit section, no pair split', () => {
    const cut = (section('🔥'.repeat(3000)) as { text: { text: string } }).text.text;
    expect(cut.length).toBeLessThanOrEqual(3000);
    expect(cut.endsWith('🔥…')).toBe(true);
    expect(truncate('a🔥b', 3)).toBe('a…');
    expect(truncate('ab&amp;cd', 7)).toBe('ab…');
  });

  it('alert messages in every state, with buttons, and after up to five clicks', () => {
    fc.assert(
      fc.property(
        finding,
        fc.constantFrom('open', 'resolved', 'level-shift') as fc.Arbitrary<'open' | 'resolved' | 'level-shift'>,
        fc.option(fc.nat(), { nil: null }),
        day,
        fc.integer({ min: 1, max: 400 }),
        spark,
        fc.array(fc.tuple(fc.stringMatching(/^U[A-Z0-9]{8}$/), hostileName), { maxLength: 5 }),
        (f, state, alertId, firstDay, dayNumber, s, clicks) => {
          const m = buildAlertMessage({ alertId, finding: f, state, firstDay, dayNumber, findingDays: dayNumber, endDay: f.day, spark: s });
          check(m, allowedFrom(f.details?.owner), f);
          for (const b of m.blocks as unknown as Array<Record<string, unknown>>) {
            if (b.type !== 'actions') continue;
            for (const e of b.elements as Array<{ value: string }>) expect(e.value.length).toBeLessThanOrEqual(2000);
          }
          // What the button listener does to the message: add who-did-what lines (escaped by the service).
          let blocks = m.blocks as Block[];
          for (const [user, name] of clicks) {
            blocks = fitMessage({
              text: m.text,
              blocks: withActionLine(blocks, `:zzz: <@${user}> snoozed *${shownName(name)}*`),
            }).blocks;
            check({ text: m.text, blocks }, [...clicks.map(([u]) => `<@${u}>`), ...allowedFrom(f.details?.owner)], [f, clicks]);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('thread replies and one-off notices', () => {
    fc.assert(
      fc.property(finding, day, fc.integer({ min: 1, max: 60 }), maybeBytes, spark, fc.boolean(), (f, d, n, latest, s, inThread) => {
        check(buildResolvedReply(f, d, n, latest), [], f);
        check(buildNewNormalNotice(f, s, { inThread }), [], f);
        check(buildNoticeMessage(f, s), [], f);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('the daily and weekly digests, with long lists of hostile names', () => {
    // Kinds by contract (FindingKind): kindLabel() shows an unknown kind unescaped (reported, blocks/alert.ts is not ours).
    const alert = fc.record({ id: fc.nat(), kind: fc.constantFrom(...kinds), name: hostileName, firstDay: day, channel });
    fc.assert(
      fc.property(
        fc.record({
          ...dayFigures,
          month: fc.record({
            month: fc.oneof(fc.constant('2026-03'), hostileText),
            toDate: bytes,
            projected: maybeBytes,
            knownDays: fc.nat(31),
            daysInMonth: fc.integer({ min: 28, max: 31 }),
          }),
          budget: fc.option(fc.record({ bytes: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), source: hostileText }), { nil: null }),
          top: fc.array(line, { maxLength: 40 }),
          logsWithData: fc.nat(),
          movers: fc.record({ up: fc.array(line, { maxLength: 30 }), down: fc.array(line, { maxLength: 30 }) }),
          newLogs: fc.array(fc.record({ name: hostileName, bytes }), { maxLength: 60 }),
          silentLogs: fc.array(fc.record({ name: hostileName, since: day }), { maxLength: 60 }),
          openAlerts: fc.array(alert, { maxLength: 60 }),
          openAlertCount: fc.nat(100_000),
        }),
        (v) => check(buildDigest(v), allowedFrom(v.openAlerts.map((a) => a.channel)), v),
      ),
      { seed: SEED, numRuns: RUNS / 2 },
    );
    fc.assert(
      fc.property(
        fc.record({
          from: day,
          to: day,
          total: bytes,
          previousTotal: maybeBytes,
          top: fc.array(fc.record({ name: hostileName, bytes, previous: maybeBytes }), { maxLength: 60 }),
          newLogs: fc.array(hostileName, { maxLength: 60 }),
          alertsOpened: fc.nat(),
          alertsResolved: fc.nat(),
          openAlertCount: fc.nat(),
        }),
        (v) => check(buildWeeklyDigest(v), [], v),
      ),
      { seed: SEED, numRuns: RUNS / 2 },
    );
  });

  it('summary, top and the alerts list', () => {
    fc.assert(
      fc.property(
        fc.record({
          ...dayFigures,
          month: fc.record({
            month: hostileText,
            toDate: bytes,
            daysCounted: fc.nat(31),
            daysInMonth: fc.integer({ min: 28, max: 31 }),
            projected: maybeBytes,
          }),
          budget: fc.option(
            fc.record({ bytes: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), source: fc.constantFrom('slack', 'env') }),
            {
              nil: null,
            },
          ) as fc.Arbitrary<{ bytes: number; source: 'slack' | 'env' } | null>,
          top: fc.array(line, { maxLength: 40 }),
          logsWithData: fc.nat(),
          openAlerts: fc.nat(),
          findings: fc.option(fc.array(fc.record({ kind: hostileText, logName: hostileName, reason: hostileText }), { maxLength: 80 }), {
            nil: null,
          }),
        }),
        (v) => check(buildSummary(v), [], v),
      ),
      { seed: SEED, numRuns: RUNS / 2 },
    );
    fc.assert(
      fc.property(
        day,
        fc.boolean(),
        fc.integer({ min: 1, max: 100 }),
        fc.array(
          fc.record({
            logId: hostileText,
            name: hostileName,
            logsets: fc.array(hostileName, { maxLength: 5 }),
            bytes,
            expected: maybeBytes,
            spark: fc.string(),
          }),
          {
            maxLength: 100,
          },
        ),
        fc.nat(),
        bytes,
        (d, observed, requested, rows, logsWithData, totalBytes) =>
          check(
            buildTop({
              day: d,
              observed,
              requested,
              rows: rows.map((r) => ({ ...r, spark: escapeMrkdwn(r.spark) })),
              logsWithData,
              totalBytes,
            }),
            [],
            rows,
          ),
      ),
      { seed: SEED, numRuns: RUNS / 2 },
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.nat(),
            kind: fc.oneof(fc.constantFrom(...kinds), hostileText),
            name: hostileName,
            firstDay: day,
            lastDay: day,
            findingDays: fc.nat(400),
            value: bytes,
            expected: bytes,
            reason: hostileName,
            channel,
            muted: fc.boolean(),
            snoozedUntil: fc.option(fc.oneof(iso, hostileText), { nil: null }),
          }),
          { maxLength: 200 },
        ),
        fc.nat(10_000),
        (alerts, extra) => check(buildAlertsList(alerts, alerts.length + extra), allowedFrom(alerts.map((a) => a.channel)), alerts),
      ),
      { seed: SEED, numRuns: RUNS / 2 },
    );
  });

  it('log detail, candidates and status', () => {
    const change = fc.record({ at: iso, actor: userId, what: hostileName });
    fc.assert(
      fc.property(
        fc.record({
          log: fc.record({
            id: hostileText,
            name: hostileName,
            logsets: fc.array(hostileName, { maxLength: 8 }),
            inManagement: fc.boolean(),
            firstSeen: fc.option(day, { nil: null }),
            lastSeen: fc.option(day, { nil: null }),
          }),
          latestDay: fc.option(day, { nil: null }),
          latest: maybeBytes,
          typical: fc.option(fc.record({ expected: bytes, low: bytes, high: bytes }), { nil: null }),
          days: fc.array(day, { minLength: 7, maxLength: 30 }),
          values: fc.array(fc.oneof(bytes, fc.constant(Number.NaN)), { minLength: 7, maxLength: 30 }),
          spark: fc.string({ maxLength: 30 }).map(escapeMrkdwn),
          thresholds: fc.array(
            fc.record({
              id: fc.nat(),
              scope: fc.constantFrom('log', 'logset', 'org') as fc.Arbitrary<'log' | 'logset' | 'org'>,
              target: hostileName,
              bytesPerDay: bytes,
              createdBy: fc.option(userId, { nil: null }),
              createdAt: iso,
            }),
            { maxLength: 30 },
          ),
          muted: fc.boolean(),
          snoozedUntil: fc.option(fc.oneof(iso, hostileText), { nil: null }),
          baselineFrom: fc.option(day, { nil: null }),
          alerts: fc.array(
            fc.record({ id: fc.nat(), kind: hostileText, status: hostileText, firstDay: day, lastDay: day, reason: hostileName }),
            { maxLength: 30 },
          ),
          changes: fc.array(change, { maxLength: 30 }),
        }),
        (v) => check(buildLogDetail(v as Parameters<typeof buildLogDetail>[0]), allowedFrom(v.changes.map((c) => c.actor)), v),
      ),
      { seed: SEED, numRuns: RUNS / 2 },
    );
    fc.assert(
      fc.property(
        hostileName,
        fc.array(fc.record({ id: hostileText, name: hostileName }), { maxLength: 10 }),
        fc.nat(100_000),
        commandText,
        (q, c, extra, example) => check(buildCandidates(q, c, c.length + extra, example), [], [q, c, example]),
      ),
      { seed: SEED, numRuns: RUNS / 2 },
    );
    fc.assert(
      fc.property(
        fc.record({
          runs: fc.array(
            fc.record({
              job: hostileText,
              status: fc.constantFrom('ok', 'failed', 'running'),
              startedAt: iso,
              durationMs: fc.option(fc.nat(), { nil: null }),
              error: fc.option(hostileName, { nil: null }),
              day: fc.option(hostileText, { nil: null }),
            }),
            { maxLength: 12 },
          ),
          nextRun: fc.option(iso, { nil: null }),
          coverage: fc.record({
            observedDays: fc.nat(),
            firstDay: fc.option(day, { nil: null }),
            lastDay: fc.option(day, { nil: null }),
            logs: fc.nat(),
            activeLogs: fc.nat(),
            orgDays: fc.nat(),
          }),
          budget: fc.record({ bytes: fc.option(bytes, { nil: undefined }), source: fc.constantFrom('slack', 'env', 'cleared', 'none') }),
          openAlerts: fc.nat(),
          snoozed: fc.nat(),
          muted: fc.nat(),
          thresholds: fc.nat(),
          admins: fc.nat(),
          changes: fc.array(change, { maxLength: 30 }),
          channels: fc.option(
            fc.array(
              fc.record({
                channel: fc.oneof(fc.stringMatching(/^[CG][A-Z0-9]{8}$/), hostileText),
                state: fc.constantFrom('member', 'not-member', 'missing', 'unknown') as fc.Arbitrary<MembershipState>,
                error: fc.option(hostileText, { nil: undefined }),
                uses: fc.array(
                  fc.oneof(
                    fc.constant('alerts'),
                    hostileName.map((n) => `route ${n}`),
                  ),
                  { maxLength: 4 },
                ),
              }),
              { maxLength: 20 },
            ),
            { nil: undefined },
          ),
        }),
        (v) =>
          check(
            buildStatus(v as Parameters<typeof buildStatus>[0]),
            allowedFrom(
              v.changes.map((c) => c.actor),
              (v.channels ?? []).map((c) => c.channel),
            ),
            v,
          ),
      ),
      { seed: SEED, numRuns: RUNS / 2 },
    );
  });

  it('help, usage errors, refusals and failures — for any text typed and any user id Slack sends', () => {
    check(buildHelp({ isAdmin: true, adminsConfigured: true }));
    check(buildHelp({ isAdmin: false, adminsConfigured: false }));
    fc.assert(
      fc.property(commandText, userId, fc.boolean(), hostileText, (text, user, configured, code) => {
        const r = parseCommand(text);
        const input = [text, user, code];
        if (r.kind === 'error') check(buildUsageError(r.message, r.example), [], input);
        check(buildUsageError(text, text), [], input);
        // What was refused or failed is the product's own words ("mute logs", "`/logusage top`"): escaped
        // whatever it is; Slack's rules on names are checked with the words the product passes.
        expect(messageProblems(buildNotAllowed(text, user, configured))).toEqual([]);
        expect(messageProblems(buildFailure(text, code))).toEqual([]);
        check(buildNotAllowed('mute logs', user, configured), [], input);
        check(buildFailure('`/logusage top`', code), [], input);
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });
});

describe("Slack's rules on every builder and every /logusage reply", () => {
  const openLogFinding = finding.map((f) => ({ ...f, scope: 'log' as const, logId: f.logId ?? 'log-1' }));

  it('a message updated in place gets new block_ids; blocks are found by role, buttons by action_id', () => {
    fc.assert(
      fc.property(
        finding,
        fc.constantFrom('open', 'resolved', 'level-shift') as fc.Arbitrary<'open' | 'resolved' | 'level-shift'>,
        spark,
        fc.array(fc.oneof(hostileText, fc.string({ maxLength: 400 })), { minLength: 2, maxLength: 5 }),
        (f, state, s, revisions) => {
          const m = buildAlertMessage({
            alertId: 7,
            finding: f,
            state,
            firstDay: f.day,
            dayNumber: 2,
            findingDays: 2,
            spark: s,
            actions: [{ at: '2026-03-01T00:00:00.000Z', actor: 'U0ADMIN01', action: 'snooze', details: null }],
          });
          const distinct = [...new Set(revisions)];
          const versions = [m.blocks, ...distinct.map((r) => renewBlockIds(m.blocks, r))];
          for (const [i, blocks] of versions.entries()) {
            check({ text: m.text, blocks }, ['<@U0ADMIN01>', ...allowedFrom(f.details?.owner)], [f, revisions]);
            const ids = blocks.map((b) => b.block_id).filter((id): id is string => id !== undefined);
            if (i > 0) expect(ids).toHaveLength(blocks.length);
            for (const earlier of versions.slice(0, i)) {
              const before = new Set(earlier.map((b) => b.block_id));
              expect(ids.filter((id) => before.has(id))).toEqual([]);
            }
            // What a listener looks for is still there under its new id.
            expect(blocks.filter((b) => hasBlockRole(b, ACTION_LOG_BLOCK_ID))).toHaveLength(1);
            const buttons = blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])) as Array<{ action_id?: string }>;
            if (state === 'open' && f.scope === 'log' && f.logId !== null) {
              expect(buttons.map((e) => e.action_id)).toEqual(expect.arrayContaining(Object.values(ACTION_IDS)));
            }
          }
        },
      ),
      { seed: SEED, numRuns: RUNS / 2 },
    );
  });

  it('Mute asks for confirmation: the danger button carries a confirm dialog naming the log, shortened and inert', () => {
    fc.assert(
      fc.property(openLogFinding, spark, (f, s) => {
        const m = buildAlertMessage({ alertId: 1, finding: f, state: 'open', firstDay: f.day, dayNumber: 1, findingDays: 1, spark: s });
        check(m, allowedFrom(f.details?.owner), f);
        const mute = m.blocks
          .flatMap((b) => (b.type === 'actions' ? b.elements : []))
          .find((e) => 'action_id' in e && e.action_id === ACTION_IDS.muteLog) as
          | { style?: string; confirm?: { title: { text: string }; text: { text: string } } }
          | undefined;
        expect(mute?.style).toBe('danger');
        expect(mute?.confirm?.title.text).toBe('Mute this log?');
        expect(mute?.confirm?.text.text.length).toBeLessThanOrEqual(300);
      }),
      { seed: SEED, numRuns: RUNS / 4 },
    );
  });

  it('top N lists all N rows, packed into sections, whatever the names', () => {
    const row = fc.record({
      logId: hostileText,
      name: hostileName,
      logsets: fc.array(hostileName, { maxLength: 4 }),
      bytes,
      expected: maybeBytes,
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 100 }), spark, (rows, s) => {
        const m = buildTop({
          day: '2026-03-10',
          observed: true,
          requested: rows.length,
          rows: rows.map((r) => ({ ...r, spark: sparkline(s) })),
          logsWithData: rows.length,
          totalBytes: 1e12,
        });
        check(m, [], rows);
        const text = m.blocks.map((b) => (b.type === 'section' && b.text ? b.text.text : '')).join('\n');
        for (let i = 1; i <= rows.length; i++) expect(text).toMatch(new RegExp(`(^|\\n)${i}\\. \\*`));
        expect(text).not.toMatch(/and \d+ more/);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  /** Every subcommand, with the names of the stored logs typed back in (quoted as people do). */
  const commandsFor = (names: string[], sets: string[]) => {
    const q = (s: string) => `"${s}"`;
    const n = names[0] ?? 'x';
    const set = sets[0] ?? 'x';
    return [
      'help',
      'summary',
      'summary 2026-03-09',
      'top',
      'top 3',
      'top 100',
      `log ${q(n)}`,
      `log ${n}`,
      'log zz-no-such-log',
      'alerts',
      `chart ${q(n)} 30d`,
      'threshold list',
      `threshold set log ${q(n)} 5GB/day`,
      `threshold set logset ${q(set)} 5GB/day`,
      'budget show',
      'budget set 3TB/month',
      `snooze ${q(n)} 3d`,
      `unsnooze ${q(n)}`,
      `mute ${q(n)}`,
      `unmute ${q(n)}`,
      `route ${q(set)} <#C0ROUTE01|alerts>`,
      'route list',
      `route remove ${q(set)}`,
      `expect ${q(n)} +50% until 2026-04-30 ${n}`,
      `expect ${q(set)} 5GB/day until 2026-04-30 *why* :fire:`,
      'expect list',
      'expect remove 1',
      'expect remove 99',
      'price show',
      `owner ${q(set)} <@U0ADMIN01>`,
      `owner ${q(set)} ${n}`,
      'owner list',
      'price set $0.35/GB',
      `explain ${q(n)}`,
      'digest',
      'refresh',
      'status',
      `${n} ${set}`,
    ];
  };

  it('every /logusage reply (and follow-up) over stored logs with hostile names', async () => {
    const names = fc.uniqueArray(ruleName, { minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(names, fc.array(ruleName, { minLength: 1, maxLength: 4 }), async (logNames, setNames) => {
        const db = openDb(':memory:');
        try {
          const days = daysInRange('2026-02-01', '2026-03-10');
          const usage = logNames.flatMap((_, i) =>
            days.map((d, j) => ({ logId: `log-${i}`, day: d, bytes: 1e9 * (i + 1) + (j % 7) * 1e7 })),
          );
          writeCollection(db, {
            observedDays: days,
            source: 'api',
            usage,
            managedLogs: logNames.map((name, i) => ({
              id: `log-${i}`,
              name,
              logsets: setNames.slice(0, 1 + (i % setNames.length)).map((s, k) => ({ id: `set-${k}`, name: s })),
            })),
            orgDaily: days.map((d) => ({ day: d, bytes: 1e10 })),
            now: '2026-03-11T08:00:00.000Z',
          });
          insertAlert(db, {
            episodeKey: 'log:log-0',
            scope: 'log',
            logId: 'log-0',
            target: null,
            kind: 'spike',
            status: 'open',
            day: '2026-03-10',
            channel: 'C0ALERTS1',
            now: '2026-03-11T06:00:00.000Z',
            finding: {
              day: '2026-03-10',
              kind: 'spike',
              scope: 'log',
              logId: 'log-0',
              logName: logNames[0] as string,
              logsets: setNames,
              value: 5e9,
              expected: 1e9,
              low: 8e8,
              high: 1.2e9,
              score: 9,
              reason: `${logNames[0]} sent 5× its usual`,
              changeBytes: 4e9,
              changePct: 400,
              contributors: [],
            },
          });
          const service = createSlackService({
            db,
            settings: readSettings({ SLACK_ALERT_CHANNEL: 'C0ALERTS1', LOGUSAGE_ADMINS: 'U0ADMIN01' }),
            logger: createSilentLogger(),
            now: () => new Date('2026-03-11T08:00:00.000Z'),
            features: {
              refresh: async () => `Collected 2026-03-10: ${logNames.join(', ')}`,
              previewDigest: () => ({ text: 'digest', blocks: [] }),
            },
            // Every answer conversations.info can give, in turn.
            checkMembership: async (channels) =>
              channels.map((channel, i) => ({
                channel,
                state: (['member', 'not-member', 'missing', 'unknown'] as const)[i % 4] as MembershipState,
                error: 'missing_scope',
              })),
          });
          const upload = async () => {};
          for (const user of ['U0ADMIN01', 'U0USER001']) {
            for (const text of commandsFor(logNames, setNames)) {
              const input = [logNames, setNames, text];
              const quick = service.quickAnswer(text, { userId: user, channelId: 'C0CHAN001' });
              if (quick) check(quick, [], input);
              const r = await service.run(text, { userId: user, channelId: 'C0CHAN001' }, upload);
              const allowed = ['<@U0ADMIN01>', '<#C0ROUTE01>', '<#C0ALERTS1>'];
              check(r.message, allowed, input);
              if (r.followUp) check(await r.followUp(), allowed, input);
            }
          }
        } finally {
          db.close();
        }
      }),
      { seed: SEED, numRuns: 6 },
    );
  }, 60_000);
});

describe("Slack's rules on the log-set, grouped and organisation messages, App Home and the modals", () => {
  const member = fc.record({
    logId: hostileText,
    logName: hostileName,
    kind: fc.constantFrom('silent', 'drop') as fc.Arbitrary<'silent' | 'drop'>,
    value: bytes,
    expected: bytes,
    changeBytes: fc.integer({ min: -1e15, max: 1e15 }),
    silentSince: fc.option(day, { nil: undefined }),
  });
  const state = fc.constantFrom('open', 'resolved', 'level-shift') as fc.Arbitrary<'open' | 'resolved' | 'level-shift'>;
  const action = fc.record({
    at: iso,
    actor: fc.stringMatching(/^U[A-Z0-9]{8}$/),
    action: fc.constantFrom('snooze', 'mute', 'accept-normal'),
    details: fc.constant(null),
  });

  it('log-set messages, grouped messages (menus with a Mute confirm) and organisation notices', () => {
    fc.assert(
      fc.property(
        finding,
        fc.array(member, { minLength: 1, maxLength: 40 }),
        state,
        spark,
        fc.array(action, { maxLength: 5 }),
        fc.array(
          fc.record({
            alertId: fc.option(fc.nat(), { nil: null }),
            finding,
            status: fc.constantFrom('open', 'resolved', 'accepted', 'notice') as fc.Arbitrary<'open' | 'resolved' | 'accepted' | 'notice'>,
          }),
          { minLength: 1, maxLength: 60 },
        ),
        (f, members, st, s, actions, rows) => {
          const allowed = actions.map((a) => `<@${a.actor}>`);
          check(
            buildLogSetMessage({
              alertId: 3,
              finding: f,
              members,
              reporting: members.length + 2,
              state: st,
              firstDay: f.day,
              dayNumber: 2,
              endDay: f.day,
              spark: s,
              actions,
            }),
            allowed,
            [f, members],
          );
          const group = buildGroupMessage({ day: f.day, rows, actions });
          check(group, allowed, rows);
          const menus = group.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])) as Array<{
            action_id?: string;
            confirm?: unknown;
          }>;
          const mute = menus.find((e) => e.action_id === ACTION_IDS.muteLog);
          if (mute) expect(mute.confirm).toBeDefined();
          check(
            buildOrgEventNotice(
              {
                ...f,
                scope: 'org',
                kind: 'org' as FindingKind,
                logId: null,
                details: { orgEvent: 'dip', logsAffected: 5, logsReporting: 9 },
              },
              s,
            ),
            [],
            f,
          );
        },
      ),
      { seed: SEED, numRuns: RUNS / 4 },
    );
  });

  it('the App Home tab and the settings modals', () => {
    fc.assert(
      fc.property(
        fc.record({
          userId: fc.stringMatching(/^U[A-Z0-9]{8}$/),
          isAdmin: fc.boolean(),
          builtAt: iso,
          day: fc.option(day, { nil: null }),
          total: maybeBytes,
          expected: fc.option(fc.record({ expected: bytes, low: bytes, high: bytes }), { nil: null }),
          spark: spark.map((x) => sparkline(x)),
          month: fc.option(
            fc.record({
              month: fc.constant('2026-03'),
              toDate: bytes,
              projected: maybeBytes,
              knownDays: fc.nat(31),
              daysInMonth: fc.constant(31),
            }),
            { nil: null },
          ),
          budget: fc.option(fc.record({ bytes: fc.integer({ min: 1, max: 1e15 }) }), { nil: null }),
          top: fc.array(fc.record({ name: hostileName, bytes, expected: maybeBytes, spark: spark.map((x) => sparkline(x)) }), {
            maxLength: 20,
          }),
          alerts: fc.array(
            fc.record({
              id: fc.nat(),
              kind: fc.constantFrom(...kinds),
              name: hostileName,
              firstDay: day,
              findingDays: fc.nat(40),
              permalink: fc.option(fc.constantFrom('https://fake.slack.com/archives/C0ALERTS1/p1700000000000100'), { nil: null }),
              channel: fc.option(fc.stringMatching(/^C[A-Z0-9]{8}$/), { nil: null }),
              takenBy: fc.option(fc.stringMatching(/^U[A-Z0-9]{8}$/), { nil: null }),
            }),
            { maxLength: 30 },
          ),
          openAlertCount: fc.nat(500),
          plans: fc.array(hostileName, { maxLength: 10 }),
        }),
        hostileName,
        hostileText,
        (v, target, text) => {
          const home = buildHome(v);
          const allowed = [
            ...v.alerts.flatMap((a) => [
              a.permalink ? `<${a.permalink}|open the message>` : '',
              a.channel ? `<#${a.channel}>` : '',
              a.takenBy ? `<@${a.takenBy}>` : '',
            ]),
          ].filter(Boolean);
          check({ text: 'home', blocks: home.blocks }, allowed, v);
          expect(home.blocks.length).toBeLessThanOrEqual(100);
          const ctx = { channelId: 'C0CHAN001' };
          for (const modal of [
            buildThresholdModal(ctx, { scope: 'log', target: { text: target, value: 'log:x' } }),
            buildBudgetModal(ctx, '30 TB/month'),
            buildNoticeModal('Not allowed', text),
            buildExpectModal(ctx, target, '2026-03-11'),
          ]) {
            check({ text: 'modal', blocks: modal.blocks as Block[] }, [], [target, text]);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS / 4 },
    );
  });
});

describe("Slack's rules on root-cause replies (values found in the logs themselves)", () => {
  it('the explanation and the "no explanation" reply', () => {
    const contributor = fc.record({
      value: hostileName,
      bytes,
      usual: bytes,
      change: fc.integer({ min: -1e15, max: 1e15 }),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
      isNew: fc.boolean(),
      stopped: fc.boolean(),
    });
    fc.assert(
      fc.property(
        hostileName,
        day,
        fc.record({
          key: hostileText,
          direction: fc.constantFrom('up', 'down') as fc.Arbitrary<'up' | 'down'>,
          contributors: fc.array(contributor, { maxLength: 10 }),
          othersShare: fc.double({ min: 0, max: 1, noNaN: true }),
          values: fc.nat(10_000),
          approximate: fc.boolean(),
          queryChange: fc.integer({ min: -1e15, max: 1e15 }),
        }),
        fc.option(finding, { nil: null }),
        hostileText,
        (logName, d, analysis, f, why) => {
          check(buildCauseMessage({ logName, day: d, analysis, finding: f }), [], [logName, analysis, f]);
          check(buildCauseUnavailable(logName, d, why), [], [logName, why]);
        },
      ),
      { seed: SEED, numRuns: RUNS / 4 },
    );
  });
});

describe("Slack's rules on organisation messages (creep, the digest's organisation section)", () => {
  it('names of the largest growers are sanitised and shortened', () => {
    const contributor = fc.record({
      logId: hostileText,
      logName: hostileName,
      changeBytes: fc.integer({ min: -1e15, max: 1e15 }),
      share: fc.double({ min: -1, max: 2, noNaN: true }),
    });
    fc.assert(
      fc.property(finding, fc.array(contributor, { maxLength: 12 }), fc.nat(52), (f, contributors, weeks) => {
        const org = { ...f, scope: 'org' as const, kind: 'creep' as FindingKind, logId: null, contributors, details: { weeks } };
        check(buildCreepMessage(org), [], [f, contributors]);
        const digestSection = orgDigestSection({ ...org, kind: 'org' as FindingKind, details: { orgEvent: 'unusual' } });
        if (digestSection) check({ text: 'digest', blocks: [section(digestSection)] }, [], [f, contributors]);
      }),
      { seed: SEED, numRuns: RUNS / 4 },
    );
  });
});
