/**
 * Typed names → a stored log or log set (SPEC §9: exact, by id, or a unique part of the name), or the reply that
 * says why not: the candidates when ambiguous (with their log sets), else what was wrong and one valid example.
 */
import { displayName, type LogInfo } from '../../store/usage.js';
import type { SlackMessage } from '../block-kit.js';
import { buildUsageError } from '../blocks/common.js';
import { buildCandidates } from '../blocks/log-detail.js';
import { ellipsize } from '../mrkdwn.js';
import { logsetNames, type Match, matchLog, matchLogset } from '../names.js';
import type { CommandContext } from './context.js';

/** A log's name with its log sets, unless the name already shows them. */
function withLogsets(l: LogInfo): string {
  const shown = displayName(l);
  const sets = l.logsets.map((x) => x.name).join(', ');
  return sets === '' || shown.includes(` · ${sets}`) ? shown : `${shown} · ${sets}`;
}

/** A log by name or id; `example` makes the valid command for an id. */
export function resolveLog(
  ctx: Pick<CommandContext, 'logList'>,
  query: string,
  example: (q: string) => string,
): { log: LogInfo } | { reply: SlackMessage } {
  const logs = ctx.logList.list();
  const m: Match<LogInfo> = matchLog(query, logs);
  if (m.ok) return { log: m.item };
  if (m.reason === 'ambiguous') {
    return {
      reply: buildCandidates(
        query,
        // Candidates always name their log sets (SPEC §9), even when their names differ.
        m.candidates.map((l) => ({ id: l.id, name: withLogsets(l) })),
        m.total,
        example(m.candidates[0]?.id ?? 'ID'),
      ),
    };
  }
  const sample = logs.slice(0, 1)[0];
  return {
    reply: buildUsageError(
      `no log matches "${ellipsize(query, 60)}"${logs.length === 0 ? ' (no logs are stored yet: run a collection first)' : ''}`,
      example(sample ? sample.id : 'firewall-eu'),
    ),
  };
}

/**
 * A log set by name; `example` makes the valid command for a name. When none matches, the example is made from the
 * first known log set, or is `noMatchExample` when given.
 */
export function resolveLogset(
  ctx: Pick<CommandContext, 'logList'>,
  query: string,
  example: (q: string) => string,
  noMatchExample?: string,
): { name: string } | { reply: SlackMessage } {
  const names = logsetNames(ctx.logList.list());
  const m = matchLogset(query, names);
  if (m.ok) return { name: m.item };
  if (m.reason === 'ambiguous') {
    return {
      reply: buildCandidates(
        query,
        m.candidates.map((n) => ({ id: n, name: n })),
        m.total,
        example(`"${m.candidates[0] ?? 'Firewalls'}"`),
      ),
    };
  }
  return {
    reply: buildUsageError(
      `no log set matches "${ellipsize(query, 60)}"${names.length > 0 ? `; known log sets include ${names.slice(0, 5).join(', ')}` : ''}`,
      noMatchExample ?? example(names[0] ? (names[0].includes(' ') ? `"${names[0]}"` : names[0]) : 'Firewalls'),
    ),
  };
}
