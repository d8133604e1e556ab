/**
 * What the person who asked is told when a command or a button failed at its boundary: the stable code of the
 * error (src/errors.ts), and for storage failures what it means for them (changes run in one transaction, so a
 * failed one changed nothing). And the Slack error code of a failed Web API call.
 */
import { AppError } from '../errors.js';
import { isSqliteError, type StorageFailure, storageError } from '../store/db.js';

/**
 * The stable code of an error that ended a command or a button click, and for storage failures a hint
 * for the person who asked (changes run in one transaction, so a failed one changed nothing).
 */
export function describeFailure(err: unknown): { code: string; hint?: string } {
  if (err instanceof AppError) return { code: err.code };
  if (!isSqliteError(err)) return { code: 'INTERNAL' };
  const e = storageError(err);
  return { code: e.code, hint: STORAGE_HINTS[(e.details?.kind as StorageFailure | undefined) ?? 'other'] };
}

/** What the person who asked is told when the database failed (changes run in one transaction). */
const STORAGE_HINTS: Record<StorageFailure, string> = {
  locked: 'The database is busy: another logusage process is writing to it. Nothing changed; try again in a minute.',
  full: 'The disk that holds the database is full. Nothing changed; tell whoever runs logusage.',
  readonly: 'The database cannot be written (permissions or disk). Nothing changed; tell whoever runs logusage.',
  corrupt: 'The database file is damaged. Tell whoever runs logusage: it must be restored from a backup.',
  other: 'The database failed. Nothing changed; tell whoever runs logusage.',
};

/** The Slack error code of a Web API failure (`not_in_channel` …), or a generic code. */
export function slackErrorCode(err: unknown): string {
  const e = err as { data?: { error?: unknown }; code?: unknown };
  if (e && typeof e === 'object') {
    if (e.data && typeof e.data.error === 'string') return e.data.error;
    if (typeof e.code === 'string') return e.code;
  }
  return 'unknown_error';
}
