import { describe, expect, it } from 'vitest';
import { createCounters } from '../../../src/metrics/counters.js';
import { escapeLabelValue, formatExposition, formatValue } from '../../../src/metrics/exposition.js';

describe('text exposition 0.0.4', () => {
  it('escapes backslash, double quote and line feed in label values, and backslash and line feed in HELP', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const text = formatExposition([
      { name: 'x_bytes', help: 'one\\two\nthree', type: 'gauge', samples: [{ labels: { n: 'q"\\\n' }, value: 5 }, { value: 1.5 }] },
    ]);
    expect(text).toBe('# HELP x_bytes one\\\\two\\nthree\n# TYPE x_bytes gauge\nx_bytes{n="q\\"\\\\\\n"} 5\nx_bytes 1.5\n');
  });

  it('writes values as Prometheus reads them and refuses invalid names', () => {
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, 0].map(formatValue)).toEqual([
      'NaN',
      '+Inf',
      '-Inf',
      '1e+21',
      '0',
    ]);
    expect(() => formatExposition([{ name: 'bad-name', help: '', type: 'gauge', samples: [] }])).toThrow(/invalid metric name/);
    expect(() => formatExposition([{ name: 'ok', help: '', type: 'gauge', samples: [{ labels: { 'a-b': 'x' }, value: 1 }] }])).toThrow(
      /invalid label name/,
    );
  });

  it('counters add by labels, ignore negative or non-finite amounts, and list in a stable order', () => {
    const c = createCounters();
    c.add('rapid7Requests', { endpoint: '/b' });
    c.add('rapid7Requests', { endpoint: '/a' }, 2);
    c.add('rapid7Requests', { endpoint: '/b' });
    c.add('slackRetries', {}, -1);
    c.add('slackRetries', {}, Number.NaN);
    expect(c.samples()).toEqual([
      { id: 'rapid7Requests', labels: { endpoint: '/a' }, value: 2 },
      { id: 'rapid7Requests', labels: { endpoint: '/b' }, value: 2 },
    ]);
  });
});
