/** Captures pino log lines in memory through the logger's `destination`. */
import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from '../../src/logger.js';

export interface CapturedLogs {
  lines: string[];
  destination: DestinationStream;
  /** Parsed JSON lines. */
  records(): Array<Record<string, unknown>>;
  text(): string;
}

export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  return {
    lines,
    destination: { write: (line: string) => void lines.push(line) },
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => lines.join(''),
  };
}

/** A logger at `trace` level with NO secret masking, so tests prove the code never hands it a secret. */
export function createCapturingLogger(): { logger: Logger; logs: CapturedLogs } {
  const logs = captureLogs();
  return { logger: createLogger({ level: 'trace', destination: logs.destination }), logs };
}
