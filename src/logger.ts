/**
 * Structured JSON logs (pino) on stderr, so stdout stays for command output (`--json`). Secrets are
 * redacted by path and masked by value; callers must still never log raw AxiosErrors or request configs.
 * Pretty output on a terminal when pino-pretty is installed (it is a dev dependency).
 */
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'apiKey',
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  '*.apiKey',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'headers.authorization',
  '*.headers.authorization',
  'config',
  '*.config',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go (tests capture them); default stderr. */
  destination?: DestinationStream;
  /** Human-readable lines (pino-pretty) when no destination is given; JSON when pino-pretty is missing. */
  pretty?: boolean;
  /** Exact secret strings to mask wherever they appear in a line (defence in depth). */
  secrets?: Array<string | undefined>;
  name?: string;
}

/** Wraps a destination so any known secret string is replaced by [REDACTED] before it is written. */
function maskingStream(dest: DestinationStream, secrets: string[]): DestinationStream {
  if (secrets.length === 0) return dest;
  return {
    write(line: string) {
      let out = line;
      for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
      dest.write(out);
    },
  };
}

/** pino-pretty writing to stderr, or undefined when it is not installed. */
function prettyStream(): DestinationStream | undefined {
  try {
    const pretty = createRequire(import.meta.url)('pino-pretty') as (o: Record<string, unknown>) => DestinationStream;
    return pretty({ destination: 2, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'name' });
  } catch {
    return undefined;
  }
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const secrets = (opts.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  const base = opts.destination ?? (opts.pretty ? prettyStream() : undefined) ?? pino.destination({ dest: 2, sync: true });
  return pino(
    {
      level: opts.level ?? 'info',
      name: opts.name ?? 'logusage',
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    maskingStream(base, secrets),
  );
}

/** A logger that writes nothing (tests that do not inspect logs). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
