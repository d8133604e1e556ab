/** Captures the AppError a call must end with; fails the test when it succeeds or throws something else. */
import { expect } from 'vitest';
import { AppError } from '../../src/errors.js';

export async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected the call to fail with an AppError');
}

export function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected the call to throw an AppError');
}
