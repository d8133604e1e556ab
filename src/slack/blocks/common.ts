/**
 * Pure pieces shared by the `/logusage` message builders: number formatting, the reply and error
 * messages. Every builder returns a `SlackMessage` (blocks + plain-text fallback) run through
 * `fitMessage`, so no message exceeds 50 blocks or 10k characters whatever the data.
 */
import { formatBytes } from '../../units.js';
import { capLines, context, fitMessage, type SlackMessage, section } from '../block-kit.js';
import { codeSpan, ellipsize, escapeMrkdwn, escapeUntrusted, flattenText, plainName } from '../mrkdwn.js';

/** "+12%" / "−35%" / "new" (expected 0) / "" (unknown). */
export function formatChangePct(value: number, expected: number | undefined | null): string {
  if (expected === undefined || expected === null || !Number.isFinite(expected) || !Number.isFinite(value)) return '';
  if (expected === 0) return value > 0 ? 'new' : '±0%';
  const pct = ((value - expected) / expected) * 100;
  const abs = Math.abs(pct);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 0 : 1;
  const text = abs.toFixed(digits).replace(/\.0$/, '');
  if (text === '0') return '±0%';
  return `${pct > 0 ? '+' : '−'}${text}%`;
}

/** "+3.1 GB" / "−200 MB". */
export function formatChangeBytes(delta: number): string {
  if (!Number.isFinite(delta)) return '';
  return `${delta >= 0 ? '+' : '−'}${formatBytes(Math.abs(delta))}`;
}

/** `formatBytes`, with "no data" for NaN. */
export function bytesOrGap(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? 'no data' : formatBytes(v);
}

/** A short ephemeral answer: one line (already escaped mrkdwn) and an optional context line. */
export function buildReply(textMrkdwn: string, plain: string, note?: string): SlackMessage {
  return fitMessage({
    text: escapeMrkdwn(plain),
    blocks: [section(textMrkdwn), ...(note ? [context(note)] : [])],
  });
}

/**
 * A list answer (`owner list`, `expect list`): a bold title and its lines (escaped mrkdwn) in one section, cut to fit
 * with "… and N more <noun>", an optional context note (mrkdwn); `plain` is the fallback text (raw, escaped here).
 */
export function buildListReply(v: { title: string; lines: string[]; noun: string; plain: string; note?: string }): SlackMessage {
  return fitMessage({
    text: escapeMrkdwn(v.plain),
    blocks: [section(`${v.title}\n${capLines(v.lines, { maxChars: 2800, noun: v.noun })}`), ...(v.note ? [context(v.note)] : [])],
  });
}

/** "What was wrong" + one valid example. `problem` and `example` are raw, untrusted text (they quote what was typed). */
export function buildUsageError(problem: string, example: string): SlackMessage {
  const p = escapeUntrusted(problem);
  return fitMessage({
    text: escapeMrkdwn(`${plainName(problem, 600)}. Example: /logusage ${plainName(example, 200)}`),
    blocks: [
      section(`:warning: ${p}.\nExample: ${codeSpan(`/logusage ${example}`, 300)}`),
      context('`/logusage help` lists every command.'),
    ],
  });
}

/** "Only admins may …" with the way to fix it. `userId` is the Slack id of the person asking. */
export function buildNotAllowed(what: string, userId: string, adminsConfigured: boolean): SlackMessage {
  const uid = /^[UW][A-Z0-9]+$/.test(userId) ? userId : 'U…';
  const w = escapeMrkdwn(flattenText(what));
  const fix = adminsConfigured
    ? `Ask one of the admins listed in LOGUSAGE_ADMINS, or have your user id (${uid}) added to it.`
    : `No one may change settings yet: LOGUSAGE_ADMINS is empty. Set LOGUSAGE_ADMINS=${uid} (comma-separate several ids) in the environment or .env and restart logusage.`;
  return fitMessage({
    text: escapeMrkdwn(`Only admins may ${ellipsize(flattenText(what), 200)}. ${fix}`),
    blocks: [section(`:no_entry: Only admins may ${w}.\n${fix}`)],
  });
}

/**
 * A failure: says it was logged, never holds internals or secrets. `hint` (raw text, escaped here) tells
 * the person what it means for them, e.g. that the database is busy and nothing changed.
 */
export function buildFailure(what: string, code: string, hint?: string): SlackMessage {
  const w = escapeMrkdwn(flattenText(what));
  const tail = hint ? ` ${hint}` : ' The details are in the logusage logs.';
  return fitMessage({
    text: escapeMrkdwn(`Sorry, ${ellipsize(flattenText(what), 200)} failed (${plainName(code, 60)}).${tail}`),
    blocks: [section(`:x: Sorry, ${w} failed (${codeSpan(code, 60)}).${escapeMrkdwn(tail)}`)],
  });
}
