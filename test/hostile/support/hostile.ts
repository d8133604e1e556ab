/**
 * Shared pieces of the hostile-world suite: generators of hostile text, checks that a Slack message is
 * safe (escaped, within Block Kit limits), and a full dump of every table of a database so a test can
 * prove that a failure changed nothing.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import type { Db } from '../../../src/store/db.js';

/** Fragments that break naive parsers, SQL built by string concatenation, and unescaped mrkdwn. */
export const HOSTILE_PIECES = [
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<!subteam^S0123|@team>',
  '<@U0ADMIN01>',
  '<@W0ADMIN02|boss>',
  '<#C0123ABCD|general>',
  '<https://evil.example/x|click me>',
  '<mailto:a@b.c|mail>',
  '&amp;',
  '&lt;!channel&gt;',
  '&',
  '<',
  '>',
  '*bold*',
  '_it_',
  '~strike~',
  '`code`',
  '```block```',
  '> quote',
  "'; DROP TABLE logs; --",
  '" OR 1=1 --',
  "x' OR '1'='1",
  'Robert"); DELETE FROM audit; --',
  '%',
  '%s%n',
  '\\',
  '\u0000',
  '\u0007',
  '\u200b',
  '\u202e',
  '\ufeff',
  '🔥',
  '👩‍👩‍👧',
  'e\u0301',
  '\ud800',
  '"',
  '""',
  '" "',
  "''",
  '“ ”',
  '“',
  '”',
  "'",
  '‘',
  '’',
  '„',
  '\n',
  '\r\n',
  '\t',
  ' ',
  '1e308',
  '9'.repeat(40),
  '-5',
  'NaN',
  'Infinity',
  '0x10',
  '1.5',
  '.5',
  '5.',
  'TB',
  'GiB',
  'kb',
  'Gbit',
  '/day',
  '/month',
  '/week',
  '3d',
  '12h',
  '2w',
  '0d',
  '999999w',
  'log',
  'logset',
  'org',
  'list',
  'set',
  'remove',
  '#security',
  'C0123ABCD',
  '2026-02-30',
  '2026-03-01',
] as const;

export const SUBCOMMAND_WORDS = [
  'help',
  'summary',
  'top',
  'log',
  'alerts',
  'chart',
  'threshold',
  'thresholds',
  'budget',
  'snooze',
  'unsnooze',
  'mute',
  'unmute',
  'route',
  'routes',
  'digest',
  'refresh',
  'status',
  'HELP',
  'Snooze',
] as const;

const piece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_PIECES) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.nat().map(String) },
  { weight: 1, arbitrary: fc.double({ noNaN: false }).map(String) },
);

/** A short hostile text: pieces joined by spaces or by nothing. */
export const hostileText: fc.Arbitrary<string> = fc
  .tuple(fc.array(piece, { maxLength: 8 }), fc.constantFrom(' ', '', '  ', '\t'))
  .map(([parts, sep]) => parts.join(sep));

/** A very long text (2 KB … 10 KB) built from one repeated piece plus noise. */
export const hugeText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...HOSTILE_PIECES, 'a', 'log ', '"'), fc.integer({ min: 2_000, max: 10_240 }), hostileText)
  .map(([p, n, tail]) => `${p.repeat(Math.ceil(n / p.length)).slice(0, n)}${tail}`);

/** What people (and attackers) type after `/logusage`. */
export const commandText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...SUBCOMMAND_WORDS), hostileText).map(([s, rest]) => `${s} ${rest}`) },
  { weight: 2, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }) },
  { weight: 1, arbitrary: hugeText },
);

/** A hostile name for a log or log set (what Rapid7 might hand back). */
export const hostileName: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom('<!channel>', '<@U0ADMIN01>', '&lt;!here&gt;', "'; DROP TABLE logs; --") },
  { weight: 1, arbitrary: fc.integer({ min: 3_000, max: 6_000 }).map((n) => '<!channel>&'.repeat(n).slice(0, n)) },
);

// ---------------------------------------------------------------------------------------------
// Slack message checks

export interface MessageLike {
  text: string;
  blocks: unknown[];
}

/** Every string that Slack renders as text in a message: `text` fields of blocks and the fallback. */
export function renderedTexts(m: MessageLike): string[] {
  const out: string[] = [m.text];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if ((k === 'text' || k === 'alt_text') && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  walk(m.blocks);
  return out;
}

/**
 * The special mrkdwn sequences a bot can write: broadcasts, user/channel/subteam mentions and links.
 * Escaped text never holds a raw `<`, so it never holds one of these.
 */
export const SPECIAL_MRKDWN = /<[!@#^]|<(?:https?|mailto):/i;

/** `&` not starting one of the three entities Slack defines. */
const BARE_AMP = /&(?!amp;|lt;|gt;)/;

/**
 * Problems of a message as Slack would see it: limits (blocks, section, header, context, message
 * size), special sequences that did not come from `allowedSpecial`, and text that is not escaped.
 * `allowedSpecial` lists the exact sequences the bot writes on purpose (e.g. `<@UADMIN>` of who clicked).
 */
export function messageProblems(m: MessageLike, allowedSpecial: string[] = []): string[] {
  const problems: string[] = [];
  if (typeof m.text !== 'string' || m.text.length === 0) problems.push('no plain-text fallback');
  if (m.text.length >= 10_000) problems.push(`fallback text is ${m.text.length} characters`);
  if (!Array.isArray(m.blocks)) return [...problems, 'blocks is not an array'];
  if (m.blocks.length > 50) problems.push(`${m.blocks.length} blocks`);
  let total = 0;
  for (const [i, b] of (m.blocks as Array<Record<string, unknown>>).entries()) {
    const texts = renderedTexts({ text: '', blocks: [b] }).slice(1);
    const size = texts.reduce((n, t) => n + t.length, 0);
    total += size;
    const t = b.text as { text?: string } | undefined;
    if (b.type === 'section' && (t?.text?.length ?? 0) > 3000) problems.push(`section ${i} has ${t?.text?.length} characters`);
    if (b.type === 'header' && (t?.text?.length ?? 0) > 150) problems.push(`header ${i} has ${t?.text?.length} characters`);
    if (b.type === 'context' && Array.isArray(b.elements) && b.elements.length > 10)
      problems.push(`context ${i} has ${b.elements.length} elements`);
    if (Array.isArray(b.fields) && b.fields.length > 10) problems.push(`section ${i} has ${b.fields.length} fields`);
    for (const s of texts) if (s.length === 0) problems.push(`block ${i} has an empty text`);
  }
  if (total >= 10_000) problems.push(`blocks hold ${total} characters`);
  for (const s of renderedTexts(m)) {
    let rest = s;
    for (const a of allowedSpecial) rest = rest.split(a).join('');
    if (SPECIAL_MRKDWN.test(rest)) problems.push(`special sequence in ${JSON.stringify(rest.slice(0, 120))}`);
    else if (rest.includes('<') || rest.includes('>')) problems.push(`unescaped < or > in ${JSON.stringify(rest.slice(0, 120))}`);
    if (BARE_AMP.test(rest)) problems.push(`unescaped & in ${JSON.stringify(rest.slice(0, 120))}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Database dumps

/** Every row of every table (migrations' bookkeeping included), sorted, with column names. */
export function dumpAll(db: Db): Record<string, unknown[]> {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as Array<{ name: string }>;
  const out: Record<string, unknown[]> = {};
  for (const { name } of tables) {
    const rows = db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`).all() as Array<Record<string, unknown>>;
    out[name] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

/** `dumpAll` without the tables a run writes whatever its outcome (runs, locks). */
export function dumpData(db: Db): Record<string, unknown[]> {
  const { runs: _runs, locks: _locks, ...rest } = dumpAll(db);
  return rest;
}

/** `dumpData` without the migrations' bookkeeping: compares two databases that were migrated at different times. */
export function dumpContent(db: Db): Record<string, unknown[]> {
  const { schema_migrations: _m, ...rest } = dumpData(db);
  return rest;
}

/** Bytes of the database file and its -wal / -shm files (missing ones are empty). */
export function databaseBytes(path: string): Buffer {
  const parts: Buffer[] = [];
  for (const p of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    try {
      parts.push(readFileSync(p));
    } catch {
      // Not there: nothing to scan.
    }
  }
  return Buffer.concat(parts);
}
