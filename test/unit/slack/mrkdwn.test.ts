import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capLines, context, fitMessage, listSections, messageTextLength, SLACK_LIMITS, section } from '../../../src/slack/block-kit.js';
import { escapeMrkdwn, sparkline, truncate } from '../../../src/slack/mrkdwn.js';

describe('escapeMrkdwn', () => {
  it('escapes &, < and > so mentions and links are inert', () => {
    expect(escapeMrkdwn('<!channel> & <@U123|bob> <https://x|y>')).toBe('&lt;!channel&gt; &amp; &lt;@U123|bob&gt; &lt;https://x|y&gt;');
  });
  it('escapes & first (no double escaping of what it adds)', () => {
    expect(escapeMrkdwn('&lt;')).toBe('&amp;lt;');
  });
  it('never leaves a raw < or > for any input', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const e = escapeMrkdwn(s);
        return !e.includes('<') && !e.includes('>') && e.replace(/&(amp|lt|gt);/g, '').indexOf('&') === -1;
      }),
    );
  });
});

describe('sparkline', () => {
  it('has one character per value, lowest and highest bars at the extremes', () => {
    const s = sparkline([0, 5, 10]);
    expect(Array.from(s)).toHaveLength(3);
    expect(s[0]).toBe('▁');
    expect(s[2]).toBe('█');
  });
  it('shows NaN gaps as a dot, never as zero', () => {
    expect(sparkline([1, Number.NaN, 3])).toBe('▁·█');
  });
  it('is 30 characters for 30 days and flat for a flat series', () => {
    expect(Array.from(sparkline(new Array(30).fill(7))).length).toBe(30);
    expect(new Set(Array.from(sparkline(new Array(30).fill(7)))).size).toBe(1);
    expect(sparkline([0, 0])).toBe('▁▁');
    expect(sparkline([])).toBe('');
  });
});

describe('truncate', () => {
  it('cuts with an ellipsis and never splits an entity', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('ab&amp;cd', 5)).toBe('ab…');
    expect(truncate('short', 10)).toBe('short');
  });
});

describe('capLines', () => {
  it('ends a long list with "and N more" within the character budget', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `• log-${i} ${'x'.repeat(40)}`);
    const text = capLines(lines, { maxChars: 3000 });
    expect(text.length).toBeLessThanOrEqual(3000);
    const m = /_and (\d+) more_$/.exec(text);
    expect(m).not.toBeNull();
    const shown = text.split('\n').length - 1;
    expect(shown + Number(m?.[1])).toBe(500);
  });
  it('respects maxLines and shows everything when it fits', () => {
    expect(capLines(['a', 'b', 'c'], { maxLines: 2 })).toBe('a\nb\n_and 1 more_');
    expect(capLines(['a', 'b', 'c'])).toBe('a\nb\nc');
  });
  it('holds for any list', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 5000 }), { maxLength: 200 }), fc.integer({ min: 100, max: 3000 }), (lines, max) => {
        const t = capLines(lines, { maxChars: max });
        return t.length <= max;
      }),
    );
  });
});

describe('listSections', () => {
  const textOf = (b: unknown) => (b as { text: { text: string } }).text.text;
  it('spreads a long list over sections of ≤ 2,900 characters and counts what is left out', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `• item ${i} ${'z'.repeat(60)}`);
    const blocks = listSections(lines, { noun: 'logs', maxSections: 2 });
    expect(blocks).toHaveLength(2);
    for (const b of blocks) expect(textOf(b).length).toBeLessThanOrEqual(2900);
    const shown = blocks
      .map(textOf)
      .join('\n')
      .split('\n')
      .filter((l) => l.startsWith('•')).length;
    expect(textOf(blocks[1])).toMatch(new RegExp(`_and ${300 - shown} more logs_$`));
  });
  it('says how many of a longer total are not listed, even when the given lines fit', () => {
    const blocks = listSections(['a', 'b'], { noun: 'alerts', total: 10 });
    expect(blocks.map(textOf)).toEqual(['a\nb\n_and 8 more alerts_']);
    expect(listSections(['a', 'b']).map(textOf)).toEqual(['a\nb']);
    expect(listSections([])).toEqual([]);
  });
  it('never exceeds its limits for any list', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 4000 }), { maxLength: 60 }), fc.integer({ min: 0, max: 500 }), (lines, extra) => {
        const blocks = listSections(lines, { total: lines.length + extra, maxSections: 2 });
        return blocks.length <= 2 && blocks.every((b) => textOf(b).length <= 2900);
      }),
    );
  });
});

describe('fitMessage', () => {
  it('keeps ≤ 50 blocks and under 10k characters, ending with "more"', () => {
    const blocks = Array.from({ length: 120 }, (_, i) => section(`${i} ${'y'.repeat(400)}`));
    const fitted = fitMessage({ text: 'z'.repeat(20_000), blocks });
    expect(fitted.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(messageTextLength(fitted)).toBeLessThan(SLACK_LIMITS.messageChars);
    expect(fitted.text.length).toBeLessThan(SLACK_LIMITS.messageChars);
    expect(JSON.stringify(fitted.blocks.at(-1))).toMatch(/and \d+ more/);
  });
  it('leaves a small message alone', () => {
    const msg = { text: 'hi', blocks: [section('a'), context('b')] };
    expect(fitMessage(msg)).toEqual(msg);
  });
  it('sections never exceed 3,000 characters', () => {
    const s = section('q'.repeat(10_000)) as { text: { text: string } };
    expect(s.text.text.length).toBeLessThanOrEqual(3000);
  });
});
