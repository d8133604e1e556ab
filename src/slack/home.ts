/**
 * The App Home tab (SPEC §9): reads the store into a HomeView (the same month-to-date and weekday-aware
 * projection as the digest and the budget rule: digest.ts `loadDigestView` → detect/org-rules.ts),
 * resolves a link to each open alert's message (chat.getPermalink, remembered per alert), and publishes
 * it with views.publish — when the user opens the tab and, for everyone who opened it in the last
 * HOME_VIEWER_DAYS days, after each daily run (`refreshAll`).
 *
 * Impure edge: Web API calls and the database; the blocks come from blocks/home.ts (pure).
 */
import type { webApi } from '@slack/bolt';
import type { Settings } from '../config.js';
import { DAILY_JOB } from '../daily.js';
import { type Day, utcDayOf, yesterdayUtc } from '../days.js';
import { loadDigestView } from '../digest.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type AlertRecord, listOpenAlerts } from '../store/alerts.js';
import type { Db } from '../store/db.js';
import { listHomeViewers, recordHomeViewer } from '../store/home-viewers.js';
import { priceInForce } from '../store/price.js';
import { lastSuccessfulRun } from '../store/runs.js';
import { dataVersion } from '../store/slack-reads.js';
import { latestObservedDay } from '../store/usage.js';
import { buildHome, HOME_ALERTS, type HomeAlertLine, type HomeTab, type HomeView } from './blocks/home.js';
import { takenBy } from './feedback.js';
import { planLines } from './log-extras.js';

/** Home tabs opened within this many days are published again after a daily run. */
export const HOME_VIEWER_DAYS = 30;
/** How often the app looks for a finished daily run to refresh the Home tabs (ms). */
export const HOME_POLL_MS = 60_000;

export interface HomeDeps {
  db: Db;
  settings: Settings;
  logger: Logger;
  now: () => Date;
  isAdmin: (userId: string) => boolean;
  /** Extra lines about the alerts and the plans (ownership, planned changes); default none. */
  decorate?: (v: HomeView, open: AlertRecord[]) => HomeView;
}

/** The part of the Web API the Home tab uses (Bolt's client). */
export type HomeClient = Pick<webApi.WebClient, 'views' | 'chat'>;

export interface HomePublisher {
  /** The Home view of `userId` (permalinks from `client` when given). */
  view(userId: string, client?: HomeClient): Promise<HomeTab>;
  /** Publishes the view of `userId` (after a change they made from it). */
  publish(userId: string, client: HomeClient): Promise<void>;
  /** app_home_opened: remembers the viewer and publishes their view. */
  opened(userId: string, client: HomeClient): Promise<void>;
  /** Publishes the view of everyone who opened the tab recently; returns how many were published. */
  refreshAll(client: HomeClient, token?: string): Promise<number>;
  /** Publishes the view of `userId` again when they opened the tab recently (after a change they made); never throws. */
  refreshViewer(userId: string, client: HomeClient, token?: string): Promise<void>;
  /** True once per finished daily run not yet published (the poll calls refreshAll then). */
  dailyRunFinished(): boolean;
}

/** The day the Home tab shows: the newest observed day, never today (partial, SPEC §4). */
function homeDay(db: Db, now: Date): Day | null {
  const latest = latestObservedDay(db);
  if (latest === null) return null;
  const yesterday = yesterdayUtc(now);
  // Days are ISO strings: they compare in calendar order.
  return [latest, yesterday].sort()[0] as Day;
}

export function createHomePublisher(deps: HomeDeps): HomePublisher {
  const { db, logger } = deps;
  /** alert id → permalink of its message (a message's permalink never changes). */
  const permalinks = new Map<number, string>();
  /** Digest view of the shown day, recomputed when the data changes. */
  let cached: { key: string; view: ReturnType<typeof loadDigestView> } | null = null;
  /** `{ price }` when a price is in force (money beside bytes, SPEC §9). */
  const withPrice = () => {
    const price = priceInForce(db, deps.settings.price);
    return price ? { price } : {};
  };
  let lastRunSeen: number | null = lastSuccessfulRun(db, DAILY_JOB)?.id ?? null;

  async function linkOf(a: AlertRecord, client: HomeClient | undefined, token: string | undefined): Promise<string | null> {
    const known = permalinks.get(a.id);
    if (known) return known;
    if (!client || !a.channel || !a.ts) return null;
    try {
      const r = await client.chat.getPermalink({ channel: a.channel, message_ts: a.ts, ...(token ? { token } : {}) });
      if (r.ok && typeof r.permalink === 'string') {
        permalinks.set(a.id, r.permalink);
        return r.permalink;
      }
    } catch (err) {
      logger.warn({ err: describeError(err), alert: a.id }, 'no permalink for an alert message; the Home tab names its channel');
    }
    return null;
  }

  async function view(userId: string, client?: HomeClient, token?: string): Promise<HomeTab> {
    const now = deps.now();
    const day = homeDay(db, now);
    let d: ReturnType<typeof loadDigestView> | null = null;
    if (day !== null) {
      const key = `${day}|${dataVersion(db)}`;
      const price = priceInForce(db, deps.settings.price);
      const pkey = `${key}|${price ? `${price.perGb}${price.currency}` : ''}`;
      if (cached?.key !== pkey) cached = { key: pkey, view: loadDigestView(db, day, deps.settings.monthlyBudget, price) };
      d = cached.view;
    }
    const open = listOpenAlerts(db, 1000);
    const alerts: HomeAlertLine[] = [];
    const taken = takenBy(
      db,
      open.slice(0, HOME_ALERTS).map((a) => a.id),
    );
    for (const a of open.slice(0, HOME_ALERTS)) {
      alerts.push({
        id: a.id,
        kind: a.kind,
        name: a.lastFinding.logName,
        firstDay: a.firstDay,
        findingDays: a.findingDays,
        permalink: await linkOf(a, client, token),
        channel: a.channel,
        takenBy: taken.get(a.id) ?? null,
      });
    }
    let v: HomeView = {
      userId,
      isAdmin: deps.isAdmin(userId),
      builtAt: now.toISOString(),
      day,
      total: d?.total ?? null,
      expected: d?.expected ?? null,
      spark: d?.spark ?? '',
      month: d ? d.month : null,
      budget: d?.budget ? { bytes: d.budget.bytes } : null,
      top: (d?.top ?? []).map((l) => ({ name: l.name, bytes: l.bytes, expected: l.expected, spark: l.spark })),
      alerts,
      openAlertCount: open.length,
      plans: planLines(db, utcDayOf(now)),
      ...withPrice(),
    };
    if (deps.decorate) v = deps.decorate(v, open);
    return buildHome(v);
  }

  const viewersSince = () => new Date(deps.now().getTime() - HOME_VIEWER_DAYS * 86_400_000).toISOString();

  async function publish(userId: string, client: HomeClient, token?: string): Promise<void> {
    const tab = await view(userId, client, token);
    await client.views.publish({ user_id: userId, view: tab as never, ...(token ? { token } : {}) });
  }

  return {
    view: (userId, client) => view(userId, client),
    publish: (userId, client) => publish(userId, client),
    async opened(userId, client) {
      recordHomeViewer(db, userId, deps.now().toISOString());
      await publish(userId, client);
    },
    async refreshViewer(userId, client, token) {
      try {
        if (!listHomeViewers(db, viewersSince()).includes(userId)) return;
        await publish(userId, client, token);
      } catch (err) {
        logger.warn({ err: describeError(err), user: userId }, 'could not refresh a Home tab after a change');
      }
    },
    async refreshAll(client, token) {
      const since = viewersSince();
      let n = 0;
      for (const userId of listHomeViewers(db, since)) {
        try {
          await publish(userId, client, token);
          n++;
        } catch (err) {
          logger.warn({ err: describeError(err), user: userId }, 'could not refresh a Home tab');
        }
      }
      return n;
    },
    dailyRunFinished() {
      const id = lastSuccessfulRun(db, DAILY_JOB)?.id ?? null;
      if (id === null || id === lastRunSeen) return false;
      lastRunSeen = id;
      return true;
    },
  };
}
