/**
 * What every `/logusage` handler (src/slack/commands/<name>.ts) is given: the store, the settings, the clock, the
 * features of `serve` (SPEC §9) as plain functions, and the answer cache. A handler reads and changes the store
 * (every change audited by src/store/controls.ts), and returns ready-to-send messages; it never throws for bad
 * input (that is a usage error message) and never checks permissions (src/slack/commands/dispatch.ts does, from the
 * table). Time comes from `now()`; days are UTC; bytes are whole bytes.
 */
import type { Settings } from '../../config.js';
import { type Day, utcDayOf } from '../../days.js';
import type { Logger } from '../../logger.js';
import type { Price } from '../../money.js';
import type { Who } from '../../store/controls.js';
import type { DayRanks } from '../../store/day-ranks.js';
import type { Db } from '../../store/db.js';
import type { LogList } from '../../store/log-list.js';
import { displayName, type LogInfo } from '../../store/usage.js';
import type { SlackMessage } from '../block-kit.js';
import type { Command } from '../command-parser.js';
import type { AskCause } from '../explain-command.js';
import type { CheckMembership } from '../membership.js';
import { currentPrice } from './money-argument.js';

/**
 * What `logusage serve` gives the slash command (SPEC §9): the digest preview, a refresh and the next run. Each
 * is optional; without it the command answers clearly that the feature is not available in this process.
 */
export interface ServeFeatures {
  /** Today's digest as it would be posted (not posted). */
  previewDigest?: () => Promise<SlackMessage> | SlackMessage;
  /** Runs a collection (or the daily run) now; resolves with one plain-text line saying what it did. */
  refresh?: (opts: { actor: string }) => Promise<string>;
  /** When the next scheduled daily run starts, or null when no schedule runs in this process. */
  nextRun?: () => Date | null;
  /** Asks Log Search for the cause inside a log on a day (`/logusage explain`); absent: stored explanations only. */
  explainLog?: AskCause;
}

/** Who asked, and where. */
export interface Caller {
  userId: string;
  channelId: string;
}

/** Uploads a PNG to a channel (the listener passes Bolt's client: files.uploadV2, with `altText` as its `alt_text`). */
export type UploadPng = (f: {
  channelId: string;
  filename: string;
  title: string;
  png: Buffer;
  comment: string;
  altText: string;
}) => Promise<void>;

/** The reply to a command: a message, and optionally a follow-up that runs after it was shown. */
export interface CommandResult {
  message: SlackMessage;
  /** Slow second step (refresh): its message replaces/follows the first. */
  followUp?: () => Promise<SlackMessage>;
}

/** Answers computed for the current data (summary, top), by a key that names the data version; a change clears it. */
export interface AnswerCache {
  get(key: string): SlackMessage | undefined;
  /** Stores and returns `msg`. */
  remember(key: string, msg: SlackMessage): SlackMessage;
  /** A change from Slack makes every cached answer stale. */
  clear(): void;
}

export interface CommandContext {
  db: Db;
  settings: Settings;
  logger: Logger;
  now: () => Date;
  features: ServeFeatures;
  /** Chart font file (default DejaVu Sans). */
  chartFontPath?: string;
  /** conversations.info per channel (src/slack/membership.ts); without it status and route say nothing of membership. */
  checkMembership?: CheckMembership;
  /** LOGUSAGE_ADMINS. */
  admins: ReadonlySet<string>;
  logList: LogList;
  dayRanks: DayRanks;
  cache: AnswerCache;
}

/** One handler: runs a parsed command of its kind for a caller (already allowed to run it). */
export type Handler<K extends Command['kind']> = (
  ctx: CommandContext,
  cmd: Extract<Command, { kind: K }>,
  caller: Caller,
  upload: UploadPng,
) => CommandResult | Promise<CommandResult>;

/** One handler per kind of command; a subcommand's file exports the handlers of its kinds. */
export type Handlers<K extends Command['kind'] = Command['kind']> = { [P in K]: Handler<P> };

const CACHE_SIZE = 32;

/** Days of history a reply shows (sparklines, the log's table). */
export const HISTORY = 30;
/** Days read before a window so the typical-day estimate has 4 weeks behind its first day. */
export const LOOKBACK = 28;

export function createAnswerCache(): AnswerCache {
  const cache = new Map<string, SlackMessage>();
  return {
    get: (key) => cache.get(key),
    remember(key, msg) {
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(key, msg);
      return msg;
    },
    clear: () => cache.clear(),
  };
}

/** The audit's who and when for a change by `actor`. */
export const whoAt = (ctx: Pick<CommandContext, 'now'>, actor: string): Who => ({ actor, at: ctx.now().toISOString() });

export const todayOf = (ctx: Pick<CommandContext, 'now'>): Day => utcDayOf(ctx.now());

/** `{ price }` when a price is in force (money beside bytes, SPEC §9), else nothing. */
export function withPrice(ctx: Pick<CommandContext, 'db' | 'settings'>): { price?: Price } {
  const price = currentPrice(ctx);
  return price ? { price } : {};
}

/** A log's shown name by id (the id itself for a log not stored). */
export const nameOf = (logs: Map<string, LogInfo>) => (id: string) => {
  const l = logs.get(id);
  return l ? displayName(l) : id;
};
