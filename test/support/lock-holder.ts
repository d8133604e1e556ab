/**
 * Another process holding the database: a real child process that opens the SQLite file, starts a write
 * transaction (BEGIN IMMEDIATE), writes a row, says `LOCKED`, and keeps it open until killed or released.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const sqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');

export interface LockHolder {
  child: ChildProcess;
  /** Rolls the transaction back, closes the file and waits for the child to exit. */
  release(): Promise<void>;
}

/** Starts the child and resolves once it holds the write lock. */
export async function holdWriteLock(dbPath: string): Promise<LockHolder> {
  const script = `
    const Database = require(${JSON.stringify(sqlitePath)});
    const db = new Database(${JSON.stringify(dbPath)});
    db.exec('BEGIN IMMEDIATE');
    db.prepare("INSERT INTO runs (job, status, started_at) VALUES ('other-process', 'running', '2000-01-01T00:00:00.000Z')").run();
    process.stdout.write('LOCKED\\n');
    process.stdin.on('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
    child.stdout?.on('data', (b: Buffer) => {
      if (b.toString().includes('LOCKED')) resolve();
    });
  });
  child.removeAllListeners('exit');
  return {
    child,
    async release() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin?.write('release\n');
      await exited;
    },
  };
}
