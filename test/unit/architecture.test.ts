/**
 * The import fence (CONVENTIONS.md, "Shape"): data flows one way, Rapid7 → collect → store → detect → alerts → Slack.
 * - The pure core (detection, the alert lifecycle, Block Kit builders, parsers, settings) has no value import of
 *   the store, the file system, SQLite, HTTP clients or Bolt (`import type` is fine: it leaves no code behind).
 * - Nothing imports the command line: it is the outermost layer.
 * - There are no import cycles.
 * `KNOWN` lists what still breaks the fence, one line each; it only ever shrinks (a line that no longer applies fails
 * the test, so it is deleted when its cause is fixed).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

const PURE = [
  /^detect\//,
  /^alerts\/lifecycle\.ts$/,
  /^slack\/blocks\//,
  /^slack\/mrkdwn\.ts$/,
  /^slack\/block-kit\.ts$/,
  /^slack\/command-parser\.ts$/,
  /^config\.ts$/,
];
const IMPURE_MODULES = [/^node:fs/, /^fs$/, /^better-sqlite3$/, /^axios/, /^@slack\/bolt$/];
const CLI = [/^cli\.ts$/, /^cli\//, /^commands\//];

/** Violations tolerated for now, as `file -> import` (none: the pure core is pure). Only ever shrinks. */
const KNOWN = new Set<string>([]);

interface Edge {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Value imports and re-exports of one file (type-only imports are skipped), resolved to src-relative paths. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) {
    if (m[2]) continue;
    const spec = m[3]!;
    if (spec.startsWith('.')) out.push(relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, '.ts'));
    else out.push(spec);
  }
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1]!;
    out.push(spec.startsWith('.') ? relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, '.ts') : spec);
  }
  return out;
}

/** SQL run through a handle passed in (`db.prepare(…)`, `.transaction(`) counts as an import of the store: `file -> SQL`. */
function sqlUse(file: string): string[] {
  return /\.(prepare|transaction)\(|\bdb\.exec\(/.test(readFileSync(file, 'utf8')) ? ['SQL'] : [];
}

function graph(): Edge[] {
  return sourceFiles(SRC).flatMap((file) => [...valueImports(file), ...sqlUse(file)].map((to) => ({ from: relative(SRC, file), to })));
}

/**
 * A pure file breaks the fence when it reaches a forbidden module through any chain of imports (a pure file that
 * imports a helper which reads files is not pure); reported once per forbidden module, as `file -> module`.
 */
function violations(edges: Edge[]): string[] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const forbidden = (to: string) => IMPURE_MODULES.some((p) => p.test(to)) || to.startsWith('store/') || to === 'SQL';
  const out = new Set<string>();
  for (const from of next.keys()) {
    if (PURE.some((p) => p.test(from))) {
      const seen = new Set([from]);
      const queue = [from];
      while (queue.length) {
        for (const to of next.get(queue.shift()!) ?? []) {
          if (forbidden(to)) out.add(`${from} -> ${to}`);
          else if (to.endsWith('.ts') && !seen.has(to)) {
            seen.add(to);
            queue.push(to);
          }
        }
      }
    }
    for (const to of next.get(from) ?? []) if (CLI.some((p) => p.test(to)) && !CLI.some((p) => p.test(from))) out.add(`${from} -> ${to}`);
  }
  return [...out];
}

function cycles(edges: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) if (to.endsWith('.ts')) next.set(from, [...(next.get(from) ?? []), to]);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of next.get(n) ?? []) {
      if (state.get(m) === 'open') found.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of next.keys()) if (!state.has(n)) visit(n);
  return found;
}

describe('the import fence', () => {
  const edges = graph();

  it('reads the real source tree', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges).toContainEqual({ from: 'cli.ts', to: 'main.ts' });
  });

  it('the pure core imports no store, file system, SQLite, HTTP or Bolt, and nothing imports the CLI', () => {
    const found = violations(edges);
    expect(found.filter((v) => !KNOWN.has(v))).toEqual([]);
    expect([...KNOWN].filter((v) => !found.includes(v))).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(cycles(edges)).toEqual([]);
  });

  it('catches a forbidden import and a cycle when there is one', () => {
    expect(
      violations([
        { from: 'detect/x.ts', to: 'store/db.ts' },
        { from: 'slack/app.ts', to: 'commands/io.ts' },
      ]),
    ).toHaveLength(2);
    expect(violations([{ from: 'detect/x.ts', to: 'days.ts' }])).toEqual([]);
    expect(violations([{ from: 'alerts/lifecycle.ts', to: 'SQL' }])).toHaveLength(1);
    expect(
      violations([
        { from: 'detect/x.ts', to: 'helper.ts' },
        { from: 'helper.ts', to: 'node:fs' },
      ]),
    ).toEqual(['detect/x.ts -> node:fs']);
    expect(
      cycles([
        { from: 'a.ts', to: 'b.ts' },
        { from: 'b.ts', to: 'a.ts' },
      ]),
    ).toHaveLength(1);
  });
});
