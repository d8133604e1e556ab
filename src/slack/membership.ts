/**
 * Is the bot a member of the channels it posts to? (SLACK.md "Rules"): `chat:write.public` lets it
 * post where it was never invited, but the outbox's duplicate check reads the channel's history
 * (`channels:history` / `groups:history`), which Slack only allows in channels the bot is a member of
 * (`not_in_channel` otherwise), and private channels need it as a member to post at all. So the bot
 * checks every alert, digest and route channel with `conversations.info` (`is_member`; scopes
 * `channels:read`, `groups:read`) and says so in `/logusage status`, in the `route` reply and in a
 * log warning at start.
 *
 * `describeMembership` and `channelsToCheck` are pure; `createMembershipCheck` calls the Web API.
 */
import type { Settings } from '../config.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { codeSpan, escapeUntrusted } from './mrkdwn.js';

/** What conversations.info said of a channel: member, not a member, no such channel (or private and not invited), or no answer. */
export type MembershipState = 'member' | 'not-member' | 'missing' | 'unknown';

export interface Membership {
  channel: string;
  state: MembershipState;
  /** Slack's error code when the check failed (`missing_scope`, `channel_not_found`, `timeout` …). */
  error?: string;
}

/** A channel the bot posts to and why: 'alerts', 'digest', or `route <log set>`. */
export interface ChannelUse {
  channel: string;
  uses: string[];
}

/** Checks channels (each once, in the order given). Never throws: failures come back as `unknown` / `missing`. */
export type CheckMembership = (channels: readonly string[]) => Promise<Membership[]>;

/** The part of the Web API client the check needs. */
export interface ConversationsInfoClient {
  conversations: { info(args: { channel: string }): Promise<{ channel?: { is_member?: boolean } }> };
}

/** Seconds to wait for Slack before answering `unknown` (the client's own retries can last minutes). */
const CHECK_TIMEOUT_MS = 5_000;

function slackError(err: unknown): string {
  const e = err as { data?: { error?: unknown }; code?: unknown };
  if (e?.data && typeof e.data.error === 'string') return e.data.error;
  return typeof e?.code === 'string' ? e.code : 'unknown_error';
}

export function createMembershipCheck(client: ConversationsInfoClient, logger: Logger, timeoutMs = CHECK_TIMEOUT_MS): CheckMembership {
  const one = async (channel: string): Promise<Membership> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Membership>((resolve) => {
      timer = setTimeout(() => resolve({ channel, state: 'unknown', error: 'timeout' }), timeoutMs);
      timer.unref();
    });
    const ask = client.conversations.info({ channel }).then(
      (r): Membership => ({ channel, state: r.channel?.is_member ? 'member' : 'not-member' }),
      (err: unknown): Membership => {
        const code = slackError(err);
        if (code !== 'channel_not_found') logger.warn({ err: describeError(err), channel, code }, 'could not check channel membership');
        return { channel, state: code === 'channel_not_found' ? 'missing' : 'unknown', error: code };
      },
    );
    try {
      return await Promise.race([ask, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  return async (channels) => Promise.all([...new Set(channels)].map(one));
}

/** The alert channel, the digest channel and every route's channel, each once with what it is used for (pure). */
export function channelsToCheck(
  settings: Pick<Settings, 'slack'>,
  routes: ReadonlyArray<{ logset: string; channel: string }>,
): ChannelUse[] {
  const uses = new Map<string, string[]>();
  const add = (channel: string | undefined, use: string) => {
    if (!channel) return;
    uses.set(channel, [...(uses.get(channel) ?? []), use]);
  };
  add(settings.slack.alertChannel, 'alerts');
  add(settings.slack.digestChannel, 'digest');
  for (const r of routes) add(r.channel, `route ${r.logset}`);
  return [...uses].map(([channel, u]) => ({ channel, uses: u }));
}

/** A channel link the bot writes itself (only for well-formed ids; anything else is shown sanitised). */
export function channelLink(channel: string): string {
  return /^[CG][A-Z0-9]+$/.test(channel) ? `<#${channel}>` : escapeUntrusted(channel);
}

/** One mrkdwn line saying whether the bot is in `m.channel`, and what to do when it is not (pure). */
export function describeMembership(m: Membership): string {
  const where = channelLink(m.channel);
  switch (m.state) {
    case 'member':
      return `:white_check_mark: I am a member of ${where}.`;
    case 'not-member':
      return `:warning: I am not a member of ${where}: I can post there, but cannot check it for duplicates. Invite me: \`/invite @logusage\` in ${where}.`;
    case 'missing':
      return `:warning: I cannot see ${where}: it does not exist, or it is private and I was not invited. Invite me: \`/invite @logusage\` in that channel.`;
    default:
      return `:grey_question: Could not check ${where} (${codeSpan(m.error ?? 'no answer', 60)}): the app needs the channels:read and groups:read scopes (reinstall it after updating the manifest).`;
  }
}
