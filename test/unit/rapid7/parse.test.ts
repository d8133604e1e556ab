import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLogUsage, parseManagementLogs, parseOrgUsage } from '../../../src/rapid7/parse.js';
import { thrown } from '../../support/errors.js';

const W = { from: '2026-03-08', to: '2026-03-14' };

function usageBody(days: Array<[string, Array<[unknown, string]>]>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    per_day_usage: {
      usage: days.map(([interval, logs]) => ({ interval, log_usage: logs.map(([usage, id]) => ({ usage, id })) })),
      usage_units: 'bytes',
      report_interval: 'day',
      ...extra,
    },
  });
}

function malformed(fn: () => unknown): string {
  const err = thrown(fn);
  expect(err.code).toBe('RAPID7_MALFORMED');
  return err.message;
}

describe('parseLogUsage', () => {
  it('reads numbers and numeric strings, in any order', () => {
    const a = parseLogUsage(
      usageBody([
        [
          '2026-03-14',
          [
            ['12', 'b'],
            [7, 'a'],
          ],
        ],
        [
          '2026-03-09',
          [
            [' 42 ', 'a'],
            ['5.0', 'c'],
            [0, 'd'],
          ],
        ],
      ]),
      W,
    );
    expect(a.period).toEqual(W);
    expect(a.rows).toEqual([
      { day: '2026-03-14', logId: 'b', bytes: 12 },
      { day: '2026-03-14', logId: 'a', bytes: 7 },
      { day: '2026-03-09', logId: 'a', bytes: 42 },
      { day: '2026-03-09', logId: 'c', bytes: 5 },
      { day: '2026-03-09', logId: 'd', bytes: 0 },
    ]);
  });

  it('accepts an answer with no days at all', () => {
    expect(parseLogUsage(usageBody([]), W)).toEqual({
      period: W,
      rows: [],
      warnings: [],
      observedDays: ['2026-03-08', '2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14'],
    });
  });

  it('observes only the part of the request that the answer period covers', () => {
    const a = parseLogUsage(usageBody([['2026-03-12', [[1, 'a']]]], { period: { from: '2026-03-10', to: '2026-03-20' } }), W);
    expect(a.period).toEqual({ from: '2026-03-10', to: '2026-03-14' });
  });

  it('accepts duplicates that agree and keeps one', () => {
    const a = parseLogUsage(
      usageBody([
        ['2026-03-10', [[5, 'a']]],
        ['2026-03-10', [['5', 'a']]],
      ]),
      W,
    );
    expect(a.rows).toEqual([{ day: '2026-03-10', logId: 'a', bytes: 5 }]);
  });

  it.each([
    ['not JSON', 'per_day_usage', /not JSON/],
    ['empty', '  ', /empty body/],
    ['a JSON array', '[]', /\(root\)/],
    ['missing usage', '{"per_day_usage":{}}', /per_day_usage\.usage/],
    ['negative usage', usageBody([['2026-03-10', [[-1, 'a']]]]), /non-negative/],
    ['fractional usage', usageBody([['2026-03-10', [[1.5, 'a']]]]), /whole number/],
    ['a negative string', usageBody([['2026-03-10', [['-1', 'a']]]]), /numeric string/],
    ['a unit in the string', usageBody([['2026-03-10', [['5 GB', 'a']]]]), /numeric string/],
    ['null usage', usageBody([['2026-03-10', [[null, 'a']]]]), /usage/],
    ['a bool', usageBody([['2026-03-10', [[true, 'a']]]]), /usage/],
    ['beyond 2^53', usageBody([['2026-03-10', [[2 ** 60, 'a']]]]), /whole number/],
    ['an empty id', usageBody([['2026-03-10', [[1, '']]]]), /id/],
    ['a bad day', usageBody([['2026-02-30', [[1, 'a']]]]), /YYYY-MM-DD/],
    ['other units', usageBody([], { usage_units: 'MB' }), /usage_units is "MB"/],
    ['a reversed period', usageBody([], { period: { from: '2026-03-14', to: '2026-03-08' } }), /reversed/],
    ['a period beside the window', usageBody([], { period: { from: '2026-01-01', to: '2026-01-07' } }), /does not overlap/],
    [
      'disagreeing duplicates',
      usageBody([
        ['2026-03-10', [[5, 'a']]],
        ['2026-03-10', [[6, 'a']]],
      ]),
      /twice/,
    ],
  ])('rejects %s whole', (_name, body, message) => {
    expect(malformed(() => parseLogUsage(body, W))).toMatch(message);
  });
});

describe('parseLogUsage day window', () => {
  it('drops a day outside the window with a warning and keeps the rest', () => {
    const a = parseLogUsage(
      usageBody([
        ['2026-03-15', [[1, 'a']]],
        ['2026-03-10', [[5, 'a']]],
      ]),
      W,
    );
    expect(a.rows).toEqual([{ day: '2026-03-10', logId: 'a', bytes: 5 }]);
    expect(a.warnings).toHaveLength(1);
    expect(a.warnings[0]).toMatch(/outside the requested window .*\(2026-03-15\)/);
    // Its dates may be shifted: only the days it listed are known; the others stay gaps, not zeros.
    expect(a.observedDays).toEqual(['2026-03-10']);
  });

  it('rejects an answer whose every day is outside the window (it is about other dates)', () => {
    expect(malformed(() => parseLogUsage(usageBody([['2025-03-10', [[5, 'a']]]]), W))).toMatch(/every day of the answer .* is outside/);
  });

  it('still rejects a shape error inside a day outside the window', () => {
    expect(malformed(() => parseLogUsage(usageBody([['2026-03-15', [[-1, 'a']]]]), W))).toMatch(/non-negative/);
  });
});

describe('parseOrgUsage', () => {
  it('reads daily totals (numbers or strings) sorted by day', () => {
    const body = JSON.stringify({
      daily_usage: [
        { usage: '30', day: '2026-03-10' },
        { usage: 10, day: '2026-03-08' },
      ],
      period_usage: 40,
      id: 'x',
      name: 'Org',
    });
    expect(parseOrgUsage(body, W)).toEqual([
      { day: '2026-03-08', bytes: 10 },
      { day: '2026-03-10', bytes: 30 },
    ]);
  });

  it.each([
    ['negative', JSON.stringify({ daily_usage: [{ usage: -3, day: '2026-03-10' }] }), /non-negative/],
    ['outside', JSON.stringify({ daily_usage: [{ usage: 3, day: '2026-03-01' }] }), /outside/],
    ['wrong shape', JSON.stringify({ daily: [] }), /daily_usage/],
    [
      'disagreeing',
      JSON.stringify({
        daily_usage: [
          { usage: 3, day: '2026-03-10' },
          { usage: 4, day: '2026-03-10' },
        ],
      }),
      /twice/,
    ],
  ])('rejects %s answers', (_name, body, message) => {
    expect(malformed(() => parseOrgUsage(body, W))).toMatch(message);
  });
});

describe('parseManagementLogs', () => {
  it('reads names and log sets, ignoring other fields, and notices a Next link', () => {
    const body = JSON.stringify({
      logs: [
        {
          id: 'a',
          name: 'nginx-access',
          logsets_info: [{ id: 's1', name: 'Web', rrn: 'rrn:x', links: [] }],
          source_type: 'token',
          tokens: ['t'],
          user_data: {},
        },
        { id: 'b', name: '  ', logsets_info: null },
        { id: 'c', name: 'edr', logsets_info: [{ id: 's2', name: 'Security' }, { id: 's3' }] },
        { id: 'a', name: 'duplicate' },
      ],
      links: [{ rel: 'Next', href: 'https://x/management/logs?page=2' }],
    });
    expect(parseManagementLogs(body)).toEqual({
      logs: [
        {
          id: 'a',
          name: 'nginx-access',
          logsets: [{ id: 's1', name: 'Web' }],
          sourceType: 'token',
          platformManaged: false,
          retentionPeriod: null,
          tokenCount: 1,
        },
        { id: 'b', name: 'b', logsets: [], sourceType: null, platformManaged: false, retentionPeriod: null, tokenCount: null },
        {
          id: 'c',
          name: 'edr',
          logsets: [
            { id: 's2', name: 'Security' },
            { id: 's3', name: 's3' },
          ],
          sourceType: null,
          platformManaged: false,
          retentionPeriod: null,
          tokenCount: null,
        },
      ],
      hasNext: true,
    });
  });

  it('keeps source_type, platform_managed, retention_period and the token count of the real answers (never the tokens)', () => {
    const eu = readFileSync(new URL('../../fixtures/rapid7/management-logs.insightidr-eu-2024.json', import.meta.url), 'utf8');
    const { logs } = parseManagementLogs(eu);
    const web = logs.find((l) => l.name === 'Web Access Log');
    expect(web).toMatchObject({ sourceType: 'internal', platformManaged: false, retentionPeriod: 'default', tokenCount: 0 });
    expect(logs.some((l) => l.platformManaged)).toBe(true);
    expect(logs.filter((l) => l.name === 'Endpoint Agents').length).toBeGreaterThan(1);
    expect(JSON.stringify(logs)).not.toMatch(/"tokens"/);
  });

  it('rejects an answer without a logs list', () => {
    expect(malformed(() => parseManagementLogs('{"log": {"id": "a"}}'))).toMatch(/logs/);
  });
});
