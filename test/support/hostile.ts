/**
 * Shared pieces of the hostile-world suite: generators of hostile text, checks that a Slack message is
 * safe (escaped, within Block Kit limits), and a full dump of every table of a database so a test can
 * prove that a failure changed nothing.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { SUBCOMMANDS } from '../../src/slack/commands/table.js';
import type { Db } from '../../src/store/db.js';

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

/** Every subcommand word and alias of the catalogue, plus two in other cases. */
export const SUBCOMMAND_WORDS = [...SUBCOMMANDS.flatMap((c) => [c.name, ...c.aliases]), 'HELP', 'Snooze'];

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
    else if (rest.includes('<') || rest.includes('>')) {
      const at = Math.max(0, Math.min(...['<', '>'].map((c) => rest.indexOf(c)).filter((i) => i >= 0)) - 60);
      problems.push(`unescaped < or > in ${JSON.stringify(rest.slice(at, at + 120))}`);
    }
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

// ---------------------------------------------------------------------------------------------
// Slack's "should" rules (SLACK.md "Rules the product's messages are checked against")

/** A token no builder writes itself: where it sits in a message shows what a name did there. */
const token = fc.stringMatching(/^[a-z0-9]{2,6}$/).map((s) => `zq${s}`);

/**
 * Names that try every trick the rules forbid, each around a token: formatting and shortcodes, links,
 * line breaks that fake a line, bidi controls that reverse text, broadcasts. Pieces start and end with
 * a character other than the token, so only a name can put a marker or a break next to a token.
 */
export const markupName: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      token.map((t) => `*${t}*`),
      token.map((t) => `_${t}_`),
      token.map((t) => `~${t}~`),
      token.map((t) => `\`${t}\``),
      token.map((t) => `\`\`\`${t}\`\`\``),
      token.map((t) => `:${t}:`),
      token.map((t) => `https://${t}.example/x`),
      token.map((t) => `<https://${t}.example|${t}E>`),
      token.map((t) => `E${t}\n${t}E`),
      token.map((t) => `E${t}\r\n> ${t}E`),
      token.map((t) => `E${t}\u2028${t}E`),
      token.map((t) => `E\u202e${t}E`),
      token.map((t) => `E\u2066${t}E\u2069`),
      token.map((t) => `E\u202a${t}E\u202c`),
      fc.constantFrom('@here', '@channel', '<!here>', '<@U0ADMIN01>', ' ', 'log', '&'),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join(''));

/** A name for rule checks: hostile text, or a name built to break the rules, sometimes very long. */
export const ruleName: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: hostileName },
  { weight: 3, arbitrary: markupName },
  {
    weight: 1,
    arbitrary: fc.tuple(markupName, fc.integer({ min: 300, max: 5_000 })).map(([n, len]) => n.repeat(Math.ceil(len / n.length))),
  },
);

const BIDI = /[\u202a-\u202e\u2066-\u2069]/;
/**
 * A token a name made bold, italic or struck (one marker on both sides, at word boundaries: Slack
 * never formats inside a word), a code span or a shortcode around it — with no guard in between.
 */
const LIVE_MARKER = /(?<![\p{L}\p{N}])([*_~])zq[a-z0-9]+\1(?![\p{L}\p{N}])|`zq[a-z0-9]+`|:zq[a-z0-9]+:/u;
const BROKEN_LINE = /zq[a-z0-9]*[\r\n\u000b\u000c\u0085\u2028\u2029]/;
const BARE_URL = /\b(?:https?|mailto|slack):\/\//i;

interface RuleOptions {
  /** Mentions / channel links the bot writes itself (`<@U…>` of who clicked). */
  allowed?: string[];
  /** Untrusted names that went into the message: none of the long ones may appear in full in the fallback. */
  names?: string[];
}

/** Every object in a message (blocks, text objects, elements, confirm dialogs …), depth first. */
function objects(v: unknown, out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(v)) for (const x of v) objects(x, out);
  else if (v && typeof v === 'object') {
    out.push(v as Record<string, unknown>);
    for (const x of Object.values(v)) objects(x, out);
  }
  return out;
}

/**
 * Problems of a message against Slack's rules, on top of `messageProblems` (escaping, limits):
 * block_ids ≤ 255 and unique; ≤ 50 blocks; fallback ≤ 4,000 characters with long names shortened;
 * every mrkdwn object `verbatim: true`; no formatting, shortcode, URL, line break or bidi control
 * live from a name; a `confirm` on every danger button; `alt_text` on every image.
 */
export function slackRuleProblems(m: MessageLike, opts: RuleOptions = {}): string[] {
  const problems = messageProblems(m, opts.allowed ?? []);
  if (m.text.length > 4000) problems.push(`fallback text is ${m.text.length} characters (> 4,000)`);
  if (m.blocks.length > 50) problems.push(`${m.blocks.length} blocks (> 50)`);
  const ids = (m.blocks as Array<{ block_id?: unknown }>).map((b) => b.block_id).filter((id) => id !== undefined);
  for (const id of ids)
    if (typeof id !== 'string' || id.length === 0 || id.length > 255) problems.push(`bad block_id ${JSON.stringify(id)}`);
  if (new Set(ids).size !== ids.length) problems.push(`repeated block_id in ${JSON.stringify(ids)}`);
  for (const o of objects(m.blocks)) {
    if (o.type === 'mrkdwn' && o.verbatim !== true)
      problems.push(`mrkdwn without verbatim: ${JSON.stringify(String(o.text).slice(0, 80))}`);
    if (o.type === 'button' && o.style === 'danger') {
      const c = o.confirm as Record<string, { text?: string }> | undefined;
      if (!c?.title?.text || !c.text?.text || !c.confirm?.text || !c.deny?.text)
        problems.push(`danger button ${String(o.action_id)} without a confirm dialog`);
    }
    if (o.type === 'image' && (typeof o.alt_text !== 'string' || o.alt_text.trim() === '')) problems.push('image without alt_text');
  }
  for (const shown of renderedTexts(m)) {
    // Links and mentions the bot writes itself (a permalink, who clicked) are not from a name.
    let t = shown;
    for (const a of opts.allowed ?? []) t = t.split(a).join('');
    const at = JSON.stringify(t.slice(0, 120));
    if (BIDI.test(t)) problems.push(`bidi control in ${at}`);
    if (t.includes('\r')) problems.push(`CR in ${at}`);
    if (LIVE_MARKER.test(t)) problems.push(`live markup from a name: ${JSON.stringify(LIVE_MARKER.exec(t)?.[0])} in ${at}`);
    if (BROKEN_LINE.test(t)) problems.push(`line break from a name in ${at}`);
    if (BARE_URL.test(t)) problems.push(`live URL in ${at}`);
  }
  for (const n of opts.names ?? []) {
    const flat = n
      .replace(/\r\n|[\r\n\u000b\u000c\u0085\u2028\u2029]/g, ' ')
      .replace(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g, '');
    const chars = Array.from(flat);
    // Fallbacks show at most 600 characters (code points) of any one untrusted text.
    if (
      chars.length > 600 &&
      m.text.includes(chars.slice(0, 601).join('').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'))
    )
      problems.push(`a ${chars.length}-character name is not shortened in the fallback`);
  }
  return problems;
}
