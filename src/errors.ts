/**
 * Every failure that crosses a boundary is an AppError with a stable `code`.
 * `message` says what went wrong and what the operator should do; it never holds a secret.
 * Boundaries (CLI, listeners, scheduled runs) catch AppError and map `exitCode`.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'RAPID7_UNAUTHORIZED'
  | 'RAPID7_FORBIDDEN'
  | 'RAPID7_NOT_FOUND'
  | 'RAPID7_RATE_LIMITED'
  | 'RAPID7_SERVER'
  | 'RAPID7_NETWORK'
  | 'RAPID7_TIMEOUT'
  | 'RAPID7_HTTP'
  | 'RAPID7_MALFORMED'
  | 'DB_OPEN'
  | 'DB_NEWER_SCHEMA'
  | 'DB_MIGRATION_CHANGED'
  | 'DB_MIGRATION_FAILED'
  | 'DB_WRITE'
  | 'DB_LOCKED'
  | 'IMPORT_INVALID'
  | 'NOT_FOUND'
  | 'SLACK'
  | 'LOCKED'
  | 'INTERNAL';

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Exit code of the CLI when this error ends a command: 1 = the work failed, 2 = bad usage or settings. */
  readonly exitCode: 1 | 2;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, opts: { exitCode?: 1 | 2; cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.exitCode = opts.exitCode ?? 1;
    this.details = opts.details;
  }
}

/** A safe one-line description of any thrown value (never includes request config or headers). */
export function describeError(err: unknown): string {
  if (err instanceof AppError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** An AppError as it crosses to another process or thread (a structured clone keeps no class or code). */
export interface WireError {
  name: string;
  code: string;
  message: string;
  exitCode: 1 | 2;
}

/** The wire form of any thrown value: an AppError as it is, anything else as INTERNAL with its description. */
export function toWireError(err: unknown): WireError {
  const e = err instanceof AppError ? err : new AppError('INTERNAL', describeError(err));
  return { name: e.name, code: e.code, message: e.message, exitCode: e.exitCode };
}

/** The AppError a wire error was made from (the same code, message and exit code). */
export function fromWireError(e: WireError): AppError {
  return new AppError(e.code as ErrorCode, e.message, { exitCode: e.exitCode });
}
