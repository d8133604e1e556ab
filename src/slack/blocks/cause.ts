/**
 * Pure builder of the root-cause reply (SPEC §6.6, §7): posted in the alert's thread after the alert, and the
 * answer of `/logusage explain`. Values found in the log are shown as names (escaped, inert); everything else is
 * escaped. Bytes are whole bytes; days UTC.
 */
import { type CauseAnalysis, describeCause } from '../../detect/root-cause.js';
import type { Finding } from '../../detect/types.js';
import { formatBytes } from '../../units.js';
import { context, fitMessage, type SlackMessage, section } from '../block-kit.js';
import { codeSpan, escapeMrkdwn, escapeUntrusted, plainName, shownName } from '../mrkdwn.js';

/** "120 GB" for the change the explanation speaks of; '' when it has no meaningful size (thresholds). */
export function causeChangeText(f: Pick<Finding, 'kind' | 'changeBytes'> | null): string {
  if (!f || f.kind === 'threshold') return 'bytes';
  return formatBytes(Math.abs(f.changeBytes));
}

export function buildCauseMessage(v: { logName: string; day: string; analysis: CauseAnalysis; finding: Finding | null }): SlackMessage {
  const change = causeChangeText(v.finding);
  const mrkdwn = describeCause(v.analysis, change, { value: (x) => `*${shownName(x, 80)}*`, text: escapeUntrusted });
  const plain = describeCause(v.analysis, change, { value: (x) => plainName(x, 80), text: (x) => plainName(x, 300) });
  const note = `Log Search: bytes by ${codeSpan(v.analysis.key, 80)} on ${escapeMrkdwn(v.day)} vs the 7 days before · ${v.analysis.values} value${v.analysis.values === 1 ? '' : 's'}${v.analysis.approximate ? ' · approximate' : ''} · shares of the change Log Search counted`;
  return fitMessage({
    text: escapeMrkdwn(`Where it came from (${plainName(v.logName)}, ${v.day}): ${plainName(plain, 2000)}`),
    blocks: [section(`:mag: *Where it came from* — ${shownName(v.logName, 120)}\n${mrkdwn}`), context(note)],
  });
}

/** `/logusage explain` when there is nothing to tell, or it failed: one line (raw text, escaped here). */
export function buildCauseUnavailable(logName: string, day: string, why: string): SlackMessage {
  return fitMessage({
    text: escapeMrkdwn(`No explanation for ${plainName(logName)} on ${day}: ${plainName(why, 1000)}`),
    blocks: [section(`:grey_question: No explanation for *${shownName(logName, 120)}* on ${escapeMrkdwn(day)}: ${escapeUntrusted(why)}`)],
  });
}
