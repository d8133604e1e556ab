/** Temporary folders for database and CSV files, removed after each test that asked for one. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh empty folder, deleted after the current test. */
export function tempDir(prefix = 'logusage-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A path for a database file in a fresh folder (the file does not exist yet). */
export function tempDbPath(): string {
  return join(tempDir(), 'logusage.db');
}
