/**
 * Pure builders of the organisation-level messages (SPEC §6.7, §8): the creep message (one, in the digest's
 * channel) and the organisation section of the digest. Names are escaped and inert; money is shown only when
 * the finding was valued at a price (`priceFindings`). Bytes are whole bytes per UTC day.
 */
import { DAYS_PER_MONTH } from '../../detect/creep.js';
import { formatShare } from '../../detect/org-reason.js';
import type { Finding } from '../../detect/types.js';
import { formatMoney, moneyOf, priceOfFinding } from '../../money.js';
import { formatBytes } from '../../units.js';
import { capLines, context, fitMessage, type SlackMessage, section } from '../block-kit.js';
import { escapeMrkdwn, escapeUntrusted, plainName, shownName } from '../mrkdwn.js';
import { formatChangeBytes } from './common.js';

/** "• *web-proxy* +3.1 GB (62 %) ≈ +$1.09" per contributor (escaped mrkdwn). */
export function contributorLines(f: Finding, n = 5): string[] {
  const p = priceOfFinding(f);
  return (f.contributors ?? []).slice(0, n).map((c) => {
    const money = p ? ` ≈ ${formatMoney(moneyOf(c.changeBytes, p), p.currency, { sign: true })}` : '';
    return `• *${shownName(c.logName, 80)}* ${formatChangeBytes(c.changeBytes)}${escapeMrkdwn(money)} (${escapeMrkdwn(formatShare(c.share))})`;
  });
}

/** The digest's organisation section (escaped mrkdwn), or null without an organisation finding. */
export function orgDigestSection(f: Finding | null | undefined): string | null {
  if (!f) return null;
  const lines = contributorLines(f);
  const event = f.details?.orgEvent;
  const title = event === 'holiday' ? 'Holiday' : event === 'dip' ? 'Organisation-wide dip' : 'Unusual organisation day';
  return `:office: *${title}* — ${escapeUntrusted(f.reason)}${lines.length > 0 ? `\n${capLines(lines, { maxChars: 1800, noun: 'logs' })}` : ''}`;
}

/** "+1.4 TB/day ≈ +$14,700/month" (per month in money when a price is set). */
function creepSize(f: Finding): string {
  const perMonth = Number(f.details?.perMonthBytes ?? f.changeBytes * DAYS_PER_MONTH);
  const p = priceOfFinding(f);
  const money = p ? ` ≈ ${formatMoney(moneyOf(perMonth, p), p.currency, { sign: true })}/month` : '';
  return `${formatChangeBytes(f.changeBytes)}/day, ${formatChangeBytes(perMonth)}/month${money}`;
}

export function buildCreepMessage(f: Finding): SlackMessage {
  const pct = f.changePct === null ? '' : `${Math.round(f.changePct)} %`;
  const weeks = Number(f.details?.weeks ?? 6);
  const size = creepSize(f);
  const lines = contributorLines(f);
  const head = `:chart_with_upwards_trend: *Creep* — organisation usage is up ${pct} over ${weeks} weeks (${escapeMrkdwn(size)}) while no single log stands out.`;
  return fitMessage({
    text: escapeMrkdwn(
      `Creep: organisation usage is up ${pct} over ${weeks} weeks (${size}); the largest growers: ${(f.contributors ?? [])
        .slice(0, 5)
        .map((c) => `${plainName(c.logName)} (${formatShare(c.share)})`)
        .join(', ')}.`,
    ),
    blocks: [
      section(head),
      ...(lines.length > 0 ? [section(`*The largest growers*\n${capLines(lines, { maxChars: 2500, noun: 'logs' })}`)] : []),
      context(
        `From ${formatBytes(f.expected)}/day to ${formatBytes(f.value)}/day (two-week averages ${weeks} weeks apart) · told at most once a fortnight`,
      ),
    ],
  });
}
