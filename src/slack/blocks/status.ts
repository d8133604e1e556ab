/** Pure builder of `/logusage status`: last run, next run, coverage, budget, recent changes. */
import type { Day } from '../../days.js';
import { formatBytes } from '../../units.js';
import { capLines, context, fitMessage, header, type SlackMessage, section } from '../block-kit.js';
import { describeMembership, type Membership } from '../membership.js';
import { escapeMrkdwn, escapeUntrusted, plainName, shownName } from '../mrkdwn.js';
import { type ChangeLine, changesSection, plansSection } from './log-detail.js';

export interface StatusView {
  runs: Array<{ job: string; status: string; startedAt: string; durationMs: number | null; error: string | null; day: string | null }>;
  /** ISO time of the next scheduled daily run, or null when no schedule runs in this process. */
  nextRun: string | null;
  coverage: { observedDays: number; firstDay: Day | null; lastDay: Day | null; logs: number; activeLogs: number; orgDays: number };
  budget: { bytes: number | undefined; source: string };
  openAlerts: number;
  snoozed: number;
  muted: number;
  thresholds: number;
  admins: number;
  changes: ChangeLine[];
  /** Whether the bot is a member of each channel it posts to (conversations.info), when checked. */
  channels?: Array<Membership & { uses: string[] }>;
  /** Planned changes in force (`/logusage expect`), raw lines. */
  plans?: string[];
}

function when(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** One line per channel: what it is for, and whether the bot is in it (and how to fix it when not). */
function channelLines(channels: NonNullable<StatusView['channels']>): string {
  if (channels.length === 0) return '_no alert or digest channel is configured (SLACK_ALERT_CHANNEL)_';
  const lines = channels.map((c) => `• ${c.uses.map((u) => shownName(u, 60)).join(', ')}: ${describeMembership(c)}`);
  return capLines(lines, { maxChars: 2800, maxLines: 12, noun: 'channels' });
}

export function buildStatus(v: StatusView): SlackMessage {
  const runLines = v.runs.map((r) => {
    const icon = r.status === 'ok' ? ':white_check_mark:' : r.status === 'failed' ? ':x:' : ':hourglass:';
    const dur = r.durationMs === null ? '' : ` ${(r.durationMs / 1000).toFixed(1)} s`;
    const err = r.error ? ` — ${shownName(r.error, 200)}` : '';
    return `${icon} ${escapeUntrusted(r.job)}${r.day ? ` ${escapeUntrusted(r.day)}` : ''} ${escapeMrkdwn(when(r.startedAt))}${dur}${err}`;
  });
  const c = v.coverage;
  const budget =
    v.budget.bytes === undefined
      ? v.budget.source === 'cleared'
        ? 'cleared from Slack (no budget)'
        : 'not set'
      : `${formatBytes(v.budget.bytes)}/month (${v.budget.source === 'slack' ? 'set from Slack' : 'MONTHLY_BUDGET'})`;
  const last = v.runs[0];
  const text = `logusage status: last run ${last ? `${plainName(last.job, 40)} ${last.status} at ${when(last.startedAt)}` : 'none yet'}; next run ${
    v.nextRun ? when(v.nextRun) : 'not scheduled here'
  }; data ${c.firstDay ?? '—'} … ${c.lastDay ?? '—'} (${c.observedDays} days, ${c.logs} logs); ${v.openAlerts} open alerts.`;
  return fitMessage({
    text: escapeMrkdwn(text),
    blocks: [
      header('logusage status'),
      section(
        `*Next daily run*: ${v.nextRun ? escapeMrkdwn(when(v.nextRun)) : 'not scheduled in this process'}\n*Last runs*\n${
          runLines.length > 0 ? capLines(runLines, { maxChars: 2000, maxLines: 8, noun: 'runs' }) : '_none yet_'
        }`,
      ),
      section(
        `*Data*: ${c.observedDays} days observed (${c.firstDay ?? '—'} … ${c.lastDay ?? '—'}), ${c.logs.toLocaleString('en-US')} logs (${c.activeLogs.toLocaleString('en-US')} listed by Rapid7), ${c.orgDays} days of organisation totals\n*Budget*: ${budget}\n*Alerts*: ${v.openAlerts} open · ${v.snoozed} logs snoozed · ${v.muted} muted · ${v.thresholds} thresholds · ${v.admins} admin${v.admins === 1 ? '' : 's'}`,
      ),
      ...(v.channels ? [section(`*Channels*\n${channelLines(v.channels)}`)] : []),
      ...plansSection(v.plans),
      changesSection(v.changes),
      context('`/logusage help` for commands'),
    ],
  });
}
