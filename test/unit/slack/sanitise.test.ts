/**
 * The one sanitiser of untrusted text (src/slack/mrkdwn.ts) and the block_ids of messages updated in
 * place (src/slack/block-ids.ts), case by case (SLACK.md "Rules"). The property tests in
 * test/hostile/blocks.property.test.ts run every builder over generated names.
 */
import { describe, expect, it } from 'vitest';
import { blockRole, hasBlockRole, renewBlockIds } from '../../../src/slack/block-ids.js';
import { fitMessage, SLACK_LIMITS, section } from '../../../src/slack/block-kit.js';
import { codeSpan, escapeUntrusted, MARKUP_GUARD as G, plainName, shownName, stripMarkupGuards } from '../../../src/slack/mrkdwn.js';
import { matchLog } from '../../../src/slack/names.js';
import { logInfo } from '../../support/builders.js';

describe('escapeUntrusted', () => {
  it('guards markers that could format, on both sides', () => {
    expect(escapeUntrusted('*bold* _it_ ~s~ `c`')).toBe(
      `${G}*${G}bold${G}*${G} ${G}_${G}it${G}_${G} ${G}~${G}s${G}~${G} ${G}\`${G}c${G}\`${G}`,
    );
    expect(escapeUntrusted(':fire:')).toBe(`${G}:${G}fire${G}:${G}`);
    expect(escapeUntrusted('https://evil.example')).toBe(`https${G}:${G}//evil.example`);
  });
  it('leaves markers inside words, so names and settings can be copied', () => {
    expect(escapeUntrusted('RAPID7_API_KEY firewall_eu 08:00 a*b')).toBe('RAPID7_API_KEY firewall_eu 08:00 a*b');
  });
  it('escapes & < > and removes line breaks and bidi controls', () => {
    expect(escapeUntrusted('<!channel> & <@U1>')).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt;');
    expect(escapeUntrusted('a\r\nb\nc\u2028d')).toBe('a b c d');
    expect(escapeUntrusted('\u202eevil\u202c \u2066x\u2069 \u200fy')).toBe('evil x y');
  });
  it('shortens names for lists and fallbacks', () => {
    expect(shownName('n'.repeat(500))).toBe(`${'n'.repeat(79)}…`);
    expect(plainName('a\nb *c*', 80)).toBe(`a b ${G}*${G}c${G}*${G}`);
  });
  it('code spans show a backtick as ˋ and never link', () => {
    expect(codeSpan('a`b https://x <y>')).toBe(`\`aˋb https:${G}//x &lt;y&gt;\``);
    expect(codeSpan('')).toBe('` `');
  });
  it('a name copied from a message (with its guards) matches the log again', () => {
    const log = logInfo('aaaa-1111', '*prod* :db: logs');
    const copied = escapeUntrusted('*prod* :db: logs');
    expect(stripMarkupGuards(copied)).toBe('*prod* :db: logs');
    expect(matchLog(copied, [log])).toMatchObject({ ok: true, item: { id: 'aaaa-1111' } });
  });
});

describe('fitMessage', () => {
  it('keeps the fallback to 4,000 characters and makes every mrkdwn object verbatim', () => {
    const m = fitMessage({
      text: `x${'y'.repeat(9000)}\u202e`,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'a' }, fields: [{ type: 'mrkdwn', text: 'b' }] } as never],
    });
    expect(m.text.length).toBe(SLACK_LIMITS.fallbackText);
    expect(m.text).not.toContain('\u202e');
    expect(JSON.stringify(m.blocks)).toBe(
      JSON.stringify([
        { type: 'section', text: { type: 'mrkdwn', text: 'a', verbatim: true }, fields: [{ type: 'mrkdwn', text: 'b', verbatim: true }] },
      ]),
    );
  });
});

describe('renewBlockIds', () => {
  const blocks = [section('a'), { ...section('b'), block_id: 'logusage_action_log' }, { ...section('c'), block_id: 'Xy+9=' }];
  it('gives every block an id of this revision, keeping the roles listeners look for', () => {
    const v1 = renewBlockIds(blocks, 'alert:1:update:2026-03-10');
    expect(v1.map((b) => b.block_id)).toEqual([
      'b0~alert:1:update:2026-03-10',
      'logusage_action_log~alert:1:update:2026-03-10',
      'b2~alert:1:update:2026-03-10',
    ]);
    expect(hasBlockRole(v1[1] ?? {}, 'logusage_action_log')).toBe(true);
    expect(blockRole({ block_id: 'Xy+9=' })).toBeUndefined();
    const v2 = renewBlockIds(v1, 'c1700000000.000100-1');
    expect(v2.map((b) => blockRole(b))).toEqual(['b0', 'logusage_action_log', 'b2']);
    for (const id of v2.map((b) => b.block_id)) expect(v1.map((b) => b.block_id)).not.toContain(id);
  });
  it('keeps ids unique and at most 255 characters whatever the revision', () => {
    const long = renewBlockIds([...blocks, section('d'), section('e')], `x${'é'.repeat(5000)}`);
    const ids = long.map((b) => b.block_id as string);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(255);
    // Revisions that differ only in characters an id cannot hold still give different ids.
    expect(renewBlockIds(blocks, 'a/b')[0]?.block_id).not.toBe(renewBlockIds(blocks, 'a_b')[0]?.block_id);
  });
});
