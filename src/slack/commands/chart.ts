/**
 * `/logusage chart <name|id|org> [30d|90d]` (SPEC §9): a PNG of bytes per day with the typical range of the previous
 * 4 weeks as a band and the unusual days marked, uploaded to the channel the command came from.
 */
import { renderUsageChartPngAsync } from '../../charts.js';
import { addDays, type Day, daysInRange } from '../../days.js';
import { describeError } from '../../errors.js';
import { listAlertsForLog } from '../../store/alerts.js';
import { logSeries, orgSeries } from '../../store/slack-reads.js';
import { displayName, latestObservedDay } from '../../store/usage.js';
import { typicalSeries } from '../baseline.js';
import { buildReply } from '../blocks/common.js';
import { slackErrorCode } from '../failure.js';
import { escapeMrkdwn, escapeUntrusted, flattenText, plainName, shownName } from '../mrkdwn.js';
import { type Handlers, LOOKBACK } from './context.js';
import { resolveLog } from './resolve.js';

/** What a chart shows, for people who cannot see it (files.uploadV2 `alt_text`, SLACK.md "Rules"). `title` is one line. */
export function chartAltText(title: string, from: Day, to: Day, unusualDays: number): string {
  return `Line chart of ${title}: bytes per day from ${from} to ${to} (UTC), with the typical range of the previous 4 weeks as a shaded band; ${unusualDays} unusual day${unusualDays === 1 ? '' : 's'} marked.`;
}

export const chartCommands: Handlers<'chart'> = {
  async chart(ctx, cmd, caller, upload) {
    const { db, logger } = ctx;
    const latest = latestObservedDay(db);
    if (latest === null)
      return { message: buildReply(':grey_question: No usage has been collected yet, so there is nothing to chart.', 'No usage yet.') };
    let title: string;
    let logId: string | null = null;
    if (cmd.target.type === 'org') title = 'Organisation';
    else {
      const r = resolveLog(ctx, cmd.target.name, (id) => `chart ${id} ${cmd.days}d`);
      if ('reply' in r) return { message: r.reply };
      title = displayName(r.log);
      logId = r.log.id;
    }
    const from = addDays(latest, -(cmd.days - 1 + LOOKBACK));
    const all = daysInRange(from, latest);
    const series = logId === null ? orgSeries(db, from, latest) : logSeries(db, logId, from, latest);
    const band = typicalSeries(all, series);
    const cut = all.length - cmd.days;
    const days = all.slice(cut);
    const values = Array.from(series.subarray(cut));
    const low = band.low.slice(cut);
    const high = band.high.slice(cut);
    const alertDays = new Set<Day>();
    if (logId !== null) {
      for (const a of listAlertsForLog(db, logId, 50)) {
        if (a.kind === 'new') continue;
        for (const d of daysInRange(a.firstDay, a.lastDay)) alertDays.add(d);
      }
    }
    const anomalies = days.filter((d, i) => {
      const v = values[i] as number;
      if (!Number.isFinite(v)) return false;
      if (alertDays.has(d)) return true;
      const l = low[i] as number;
      const h = high[i] as number;
      return Number.isFinite(l) && Number.isFinite(h) && (v > h || v < l);
    });
    const shortTitle = Array.from(title).length > 80 ? `${Array.from(title).slice(0, 79).join('')}…` : title;
    const png = await renderUsageChartPngAsync({
      title: `${shortTitle} — bytes per day`,
      subtitle: `${days[0]} … ${latest} (UTC) · band: typical range from the previous 4 weeks`,
      days,
      values,
      expected: band.expected.slice(cut),
      low,
      high,
      anomalies,
      ...(ctx.chartFontPath ? { fontPath: ctx.chartFontPath } : {}),
    });
    const safeId = (logId ?? 'org').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
    const filename = `logusage-${safeId}-${cmd.days}d-${latest}.png`;
    try {
      await upload({
        channelId: caller.channelId,
        filename,
        title: `${flattenText(shortTitle)}: last ${cmd.days} days`,
        png,
        // initial_comment is a message: mrkdwn, so the name is sanitised.
        comment: `Usage of ${escapeUntrusted(shortTitle)}, last ${cmd.days} days (${anomalies.length} unusual day${anomalies.length === 1 ? '' : 's'} marked).`,
        altText: chartAltText(flattenText(shortTitle), days[0] ?? latest, latest, anomalies.length),
      });
    } catch (err) {
      const code = slackErrorCode(err);
      logger.warn({ err: describeError(err), code, channel: caller.channelId }, 'chart upload failed');
      const hint =
        code === 'not_in_channel' || code === 'channel_not_found'
          ? 'Invite the app to this channel (`/invite @logusage`) and try again; private channels and DMs need the app as a member.'
          : 'Try again in a minute; if it keeps failing, check the app has the files:write scope.';
      return {
        message: buildReply(
          `:x: The chart could not be uploaded (\`${escapeMrkdwn(code)}\`). ${hint}`,
          `The chart could not be uploaded (${code}).`,
        ),
      };
    }
    return {
      message: buildReply(
        `:bar_chart: Chart of *${shownName(title)}* (last ${cmd.days} days) posted to this channel.`,
        `Chart of ${plainName(title)} posted to this channel.`,
      ),
    };
  },
};
