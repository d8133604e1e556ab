/**
 * Bolt (and its Web API client) log through pino: an adapter over a pino child. Bolt calls
 * `setLevel` / `getLevel` / `setName`, so the adapter owns its child's level and name instead of
 * changing the parent logger. Bolt passes several arguments per line; they are joined into `msg`,
 * errors are logged under `err`.
 */
import type { Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../logger.js';

const BOLT_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function toText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export function createBoltLogger(parent: Logger, name = 'bolt'): BoltLogger {
  let child = parent.child({ component: name });
  const write = (level: (typeof BOLT_LEVELS)[number], msg: unknown[]) => {
    const err = msg.find((m): m is Error => m instanceof Error);
    const text = msg.map(toText).join(' ');
    if (err) child[level]({ err }, text);
    else child[level](text);
  };
  return {
    debug: (...msg: unknown[]) => write('debug', msg),
    info: (...msg: unknown[]) => write('info', msg),
    warn: (...msg: unknown[]) => write('warn', msg),
    error: (...msg: unknown[]) => write('error', msg),
    setLevel(level: LogLevel) {
      const l = String(level).toLowerCase();
      // Never louder than the parent: LOG_LEVEL stays the operator's choice.
      const order = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
      const want = order.indexOf(l);
      const floor = order.indexOf(parent.level);
      child.level = want >= 0 && want >= floor ? l : parent.level;
    },
    getLevel(): LogLevel {
      const l = child.level;
      return ((BOLT_LEVELS as readonly string[]).includes(l) ? l : l === 'trace' ? 'debug' : 'error') as LogLevel;
    },
    setName(n: string) {
      const level = child.level;
      child = parent.child({ component: n });
      child.level = level;
    },
  };
}
