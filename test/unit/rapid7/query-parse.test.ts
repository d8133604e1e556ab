/**
 * The query answer parsers against recorded public answers (test/fixtures/rapid7, provenance in
 * /work/shared/rapid7-answers/README.md): groupby with lower-case values and 10 slices, 202 partial answers with
 * their Self links, and shapes that are refused whole.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { isAllowedPollUrl, parseGroupByAnswer, parseTopKeys } from '../../../src/rapid7/query.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'rapid7');
const read = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>;

describe('recorded Log Search answers', () => {
  it('a finished groupby: lower-case values, one series per value, totals from the single numeric member', () => {
    const a = parseGroupByAnswer(read('query-groupby-200.insightconnect.json'));
    expect(a.exact).toBe(true);
    expect(a.groups.map((g) => g.value)).toEqual(['tomascybereasonsensor', 'windowsx64']);
    expect(a.groups.map((g) => g.series.length)).toEqual([10, 10]);
    expect(a.groups[0]?.series.reduce((x, y) => x + y, 0)).toBe(555);
    expect(a.others).toBeNull();
  });

  it('202 partial answers carry Self links on rapid7.com hosts (allowed for the key), and are not results', () => {
    for (const f of ['query-groupby-202-partial.insightconnect.json', 'query-calculate-count-202-partial.lepy.json']) {
      const body = read(f);
      const href = (body.links as Array<{ href: string }>)[0]?.href as string;
      expect(isAllowedPollUrl(href, 'https://eu.rest.logs.insight.rapid7.com')).toBe(true);
      expect(() => parseGroupByAnswer(body)).toThrow(AppError);
    }
  });

  it('refuses unknown shapes whole; top keys skip entries without a key', () => {
    for (const bad of [null, {}, { statistics: {} }, { statistics: { groups_timeseries: [{ a: { series: [{ bytes: -1 }] } }] } }]) {
      expect(() => parseGroupByAnswer(bad)).toThrow(/unknown shape/);
    }
    expect(parseTopKeys({ topkeys: [{ key: 'hostname', weight: 0.8 }, { weight: 1 }, { key: 'x' }] })).toEqual([
      { key: 'hostname', weight: 0.8 },
      { key: 'x', weight: 0 },
    ]);
    expect(() => parseTopKeys({ keys: [] })).toThrow(AppError);
  });
});
