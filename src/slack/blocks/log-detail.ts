/** Pure builder of `/logusage log <name|id>`: one log's history, baseline, thresholds, state, alerts and changes. */
import { type Day, WEEKDAY_NAMES, weekdayOf } from '../../days.js';
import { bytesMoneyText, type Price } from '../../money.js';
import { formatBytes } from '../../units.js';
import { type Block, capLines, context, fitMessage, type SlackMessage, section } from '../block-kit.js';
import { codeSpan, escapeMrkdwn, escapeUntrusted, flattenText, plainName, shownName } from '../mrkdwn.js';
import { bytesOrGap, formatChangeBytes, formatChangePct } from './common.js';

export interface ChangeLine {
  at: string;
  actor: string;
  /** Plain text (escaped by the builder), e.g. "set threshold #3 to 50 GB/day". */
  what: string;
}

export interface LogDetailView {
  log: {
    id: string;
    name: string;
    logsets: string[];
    inManagement: boolean;
    /** True once Rapid7 listed it (SPEC §4 states); absent = unknown. */
    everListed?: boolean;
    /** `source_type: "internal"`: alerts only with WATCH_INTERNAL_LOGS=true or a threshold. */
    internal?: boolean;
    firstSeen: Day | null;
    lastSeen: Day | null;
  };
  latestDay: Day | null;
  latest: number | null;
  typical: { expected: number; low: number; high: number } | null;
  /** Last 30 days, oldest first. */
  days: Day[];
  values: number[];
  spark: string;
  thresholds: Array<{ id: number; scope: string; target: string; bytesPerDay: number }>;
  muted: boolean;
  snoozedUntil: string | null;
  baselineFrom: Day | null;
  alerts: Array<{ id: number; kind: string; status: string; firstDay: Day; lastDay: Day; reason: string }>;
  changes: ChangeLine[];
  /**
   * Band multiplier in force (1 = default; larger = fewer alerts), the base feedback counts from, and the
   * Useful / Noise clicks on its alerts, newest first (SPEC §7). Absent: not shown.
   */
  sensitivity?: {
    value: number;
    base: number;
    /** Feedback steps above the base (negative: set narrower by hand). */
    steps: number;
    feedback: Array<{ at: string; actor: string; verdict: 'useful' | 'noise'; after: number }>;
  };
  /** Price in force: money beside bytes; absent = no money shown. */
  price?: Price;
  /** Planned changes in force for the log or its log sets (`/logusage expect`), raw lines. */
  plans?: string[];
}

function sensitivityText(s: NonNullable<LogDetailView['sensitivity']>): string {
  const how =
    s.steps === 0
      ? ' (the global setting)'
      : s.steps > 0
        ? ` (${s.steps} step${s.steps === 1 ? '' : 's'} wider than ×${s.base}: fewer alerts)`
        : ` (narrower than ×${s.base}: more alerts)`;
  const head = `*Sensitivity*: band ×${s.value}${how}`;
  if (s.feedback.length === 0) return `${head}\nFeedback: _none yet_ (the *Useful* / *Noise* buttons on its alerts)`;
  const n = s.feedback.filter((f) => f.verdict === 'noise').length;
  const lines = s.feedback
    .slice(0, 5)
    .map(
      (f) =>
        `• ${escapeMrkdwn(f.at.slice(0, 16).replace('T', ' '))} UTC ${mentionUser(f.actor)} ${f.verdict === 'noise' ? 'Noise' : 'Useful'} → ×${f.after}`,
    );
  return `${head}\nFeedback: ${n} noise, ${s.feedback.length - n} useful\n${lines.join('\n')}`;
}

/** A Slack user mention the bot writes itself (only for well-formed user ids; others shown escaped). */
export function mentionUser(actor: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(actor) ? `<@${actor}>` : escapeUntrusted(actor);
}

export function formatChangeLines(changes: ChangeLine[]): string[] {
  return changes.map(
    (c) => `• ${escapeMrkdwn(flattenText(c.at.slice(0, 16).replace('T', ' ')))} UTC ${mentionUser(c.actor)} ${escapeUntrusted(c.what)}`,
  );
}

/** "*Planned changes*" and one line per plan in force (raw text, escaped here); nothing when there are none. */
export function plansSection(plans: readonly string[] | undefined): Block[] {
  if (!plans || plans.length === 0) return [];
  return [
    section(
      `*Planned changes*\n${capLines(
        plans.map((p) => `• ${escapeUntrusted(p)}`),
        { maxChars: 1400, noun: 'plans' },
      )}`,
    ),
  ];
}

/** "*Recent changes*": the newest audit lines, who and when, or _none_. */
export function changesSection(changes: ChangeLine[]): Block {
  return section(
    `*Recent changes*\n${changes.length > 0 ? capLines(formatChangeLines(changes), { maxChars: 2800, maxLines: 10, noun: 'changes' }) : '_none_'}`,
  );
}

export function buildLogDetail(v: LogDetailView): SlackMessage {
  const name = shownName(v.log.name, 200);
  const sets = v.log.logsets.length > 0 ? v.log.logsets.map((s) => shownName(s, 60)).join(', ') : '_no log set_';
  // The three states of a log (SPEC §4): listed; never listed (import or usage only); no longer listed (deleted).
  const status = v.log.inManagement
    ? ''
    : v.log.everListed === false
      ? ' · _not listed by Rapid7: known from an import or the usage API only_'
      : v.log.everListed === true
        ? ' · _deleted: no longer listed by Rapid7_'
        : ' · _not listed by Rapid7 (deleted or unknown)_';
  const internal = v.log.internal
    ? ' · _Rapid7 platform-internal log: no spike/drop/silent/new alerts unless WATCH_INTERNAL_LOGS=true_'
    : '';
  const latestLine =
    v.latestDay === null
      ? 'No data collected yet.'
      : `${v.latestDay} (${WEEKDAY_NAMES[weekdayOf(v.latestDay)]}): *${bytesOrGap(v.latest)}*${v.latest === null ? '' : escapeMrkdwn(bytesMoneyText(v.latest, v.price))}${
          v.typical && v.latest !== null
            ? ` — typical ${formatBytes(v.typical.expected)} (${formatBytes(v.typical.low)} – ${formatBytes(v.typical.high)}), ${formatChangePct(v.latest, v.typical.expected)} / ${formatChangeBytes(v.latest - v.typical.expected)}`
            : ' — no typical value yet'
        }`;
  const finite = v.values.filter((x) => Number.isFinite(x));
  const sum = finite.reduce((a, b) => a + b, 0);
  const histLine = `Last ${v.days.length} days \`${v.spark}\` total ${formatBytes(sum)}${escapeMrkdwn(bytesMoneyText(sum, v.price))}, average ${finite.length ? formatBytes(sum / finite.length) : 'no data'}/day`;
  const week = v.days
    .slice(-7)
    .map(
      (d, i) => `${d.slice(5)} ${WEEKDAY_NAMES[weekdayOf(d)]?.slice(0, 3)} ${bytesOrGap(v.values[v.values.length - 7 + i] ?? Number.NaN)}`,
    )
    .join(' · ');
  const stateBits = [
    v.muted ? ':no_bell: muted' : '',
    v.snoozedUntil ? `:zzz: snoozed until ${escapeUntrusted(v.snoozedUntil.slice(0, 16).replace('T', ' '))} UTC` : '',
    v.baselineFrom ? `normal level accepted from ${v.baselineFrom}` : '',
  ].filter(Boolean);
  const thresholdLines = v.thresholds.map(
    (t) => `• #${t.id} ${t.scope === 'org' ? 'organisation' : `${t.scope} ${shownName(t.target, 60)}`}: ${formatBytes(t.bytesPerDay)}/day`,
  );
  const alertLines = v.alerts.map(
    (a) =>
      `• #${a.id} ${escapeUntrusted(a.kind)} (${escapeUntrusted(a.status)}) ${a.firstDay}${a.lastDay !== a.firstDay ? ` … ${a.lastDay}` : ''}: ${escapeUntrusted(a.reason)}`,
  );
  const text = `${plainName(v.log.name)} (${plainName(v.log.id)}): ${v.latestDay ? `${bytesOrGap(v.latest)} on ${v.latestDay}` : 'no data yet'}${
    v.typical ? `, typical ${formatBytes(v.typical.expected)}` : ''
  }.`;
  return fitMessage({
    text: escapeMrkdwn(text),
    blocks: [
      section(`*${name}*  ${codeSpan(v.log.id)}\nLog sets: ${sets}${status}${internal}`),
      section(`${latestLine}\n${histLine}\n${week}`),
      section(
        `*Thresholds*\n${thresholdLines.length > 0 ? capLines(thresholdLines, { maxChars: 1400, noun: 'thresholds' }) : '_none_'}\n*State*: ${
          stateBits.length > 0 ? stateBits.join(' · ') : 'alerting normally'
        }`,
      ),
      ...(v.sensitivity ? [section(sensitivityText(v.sensitivity))] : []),
      ...plansSection(v.plans),
      section(`*Alerts*\n${alertLines.length > 0 ? capLines(alertLines, { maxChars: 2800, maxLines: 10, noun: 'alerts' }) : '_none_'}`),
      changesSection(v.changes),
      context(`First seen ${v.log.firstSeen ?? '—'}, last seen ${v.log.lastSeen ?? '—'} · ${codeSpan(`/logusage chart ${v.log.id}`)}`),
    ],
  });
}

/** Several logs matched: list them (with ids, so the next command can be exact). */
export function buildCandidates(
  query: string,
  candidates: Array<{ id: string; name: string }>,
  total: number,
  example: string,
): SlackMessage {
  const lines = candidates.map((c) => `• *${shownName(c.name, 120)}* ${codeSpan(c.id)}`);
  if (total > candidates.length) lines.push(`_and ${total - candidates.length} more_`);
  return fitMessage({
    text: escapeMrkdwn(`"${plainName(query, 100)}" matches ${total} names; use one of them exactly or its id.`),
    blocks: [
      section(
        `:mag: "${shownName(query, 100)}" matches ${total} names; give one exactly, quoted, or by its id:\n${capLines(lines, { maxChars: 2500 })}`,
      ),
      context(`Example: ${codeSpan(`/logusage ${example}`, 300)}`),
    ],
  });
}
