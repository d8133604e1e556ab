/** What the benches share on their command line: `--name value` options and a hard time limit. */

/** The number after `--name`, else `def`. */
export function numberArg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(process.argv[i + 1]);
}

/** The word after `--name`, else `def`. */
export function stringArg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : (process.argv[i + 1] ?? def);
}

/** Exits 1 after `seconds` whatever is still running (a bench stops by itself); the timer keeps nothing alive. */
export function hardTimeLimit(bench: string, seconds: number): void {
  setTimeout(() => {
    console.error(`${bench}: hard time limit reached; stopping`);
    process.exit(1);
  }, seconds * 1000).unref();
}
