/** What a CLI command may touch of the outside world, passed in so tests run commands in-process. */
import type { Env } from '../config.js';
import { type Day, isDay } from '../days.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AppContext, ContextOptions } from '../main.js';
import type { DrainReport } from '../slack/outbox.js';

export interface CliIo {
  env: Env;
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stderr is a terminal: progress is shown only then. */
  isTTY: boolean;
  now: () => Date;
  /** Logger override (tests capture log lines). */
  logger?: Logger;
  /** Where the logger built from settings writes (tests capture lines through the production logger). */
  logDestination?: ContextOptions['logDestination'];
  /** Settings overrides (tests: fast retries). */
  overrides?: ContextOptions['overrides'];
}

export type OpenContext = (opts?: { migrate?: boolean }) => AppContext;

/** Validates a `--day`-style option. */
export function parseDayOption(name: string, value: string | undefined): Day | undefined {
  if (value === undefined) return undefined;
  if (!isDay(value)) throw new AppError('USAGE', `${name} "${value}" is not a date: write YYYY-MM-DD, e.g. 2026-03-31.`, { exitCode: 2 });
  return value;
}

/** A progress line on a terminal (carriage return, no newline until done); silent when stderr is not a terminal. */
export function createProgress(io: CliIo, label: string): { update(fraction: number, phase?: string): void; done(): void } {
  let last = '';
  return {
    update(fraction, phase) {
      if (!io.isTTY) return;
      const pct = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
      const text = `${label}${phase ? ` (${phase})` : ''}: ${pct}%`;
      if (text === last) return;
      // Pads over the tail of a longer previous line.
      io.err(`\r${text.padEnd(last.length)}`);
      last = text;
    },
    done() {
      if (io.isTTY && last !== '') io.err('\n');
    },
  };
}

/** What a day's alert lifecycle did, in a few words. */
export function effectsLine(effects: Array<{ type: string }>): string {
  const n = (t: string) => effects.filter((e) => e.type === t).length;
  const parts = [
    [n('open'), 'opened'],
    [n('continue'), 'updated'],
    [n('resolve'), 'resolved'],
    [n('accept'), 'ended as accepted'],
    [n('notice'), 'notices'],
  ]
    .filter(([c]) => (c as number) > 0)
    .map(([c, w]) => `${c} ${w}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing new';
}

/** What a delivery did, in a few words. */
export function deliveryLine(d: DrainReport | null): string {
  if (!d) return 'not delivered now (no Slack token, or another process is delivering)';
  return `${d.sent + d.confirmed} delivered${d.pending > 0 ? `, ${d.pending} waiting` : ''}${d.dead > 0 ? `, ${d.dead} refused` : ''}`;
}
