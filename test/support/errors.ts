/** Captures the AppError a call must end with; fails the test when it succeeds or throws something else. */
import { AppError } from '../../src/errors.js';

/** `err` when it is an AppError; otherwise fails, naming what was thrown instead. */
function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  throw new Error(
    `expected an AppError, got ${err instanceof Error ? `${err.name} (${(err as { code?: string }).code}): ${err.message}` : String(err)}`,
  );
}

export async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    return asAppError(err);
  }
  throw new Error('expected the call to fail with an AppError');
}

export function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    return asAppError(err);
  }
  throw new Error('expected the call to throw an AppError');
}
