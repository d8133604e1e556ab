/** src/detect/root-cause.ts: the key chosen, the contributors by change with their share, the words. */
import { describe, expect, it } from 'vitest';
import {
  analyseCause,
  buildCauseStatement,
  causeWindowMs,
  chooseGroupKey,
  describeCause,
  wantsCause,
} from '../../../src/detect/root-cause.js';

const GB = 1e9;
const flat = (v: number, today: number) => [v, v, v, v, v, v, v, today];

describe('chooseGroupKey', () => {
  it('takes the preference list first (any case), then the heaviest host-like key, else none', () => {
    const cases: Array<[Array<[string, number]>, string | null]> = [
      [
        [
          ['message', 1],
          ['HostName', 0.2],
          ['r7_context.asset.name', 0.1],
        ],
        'r7_context.asset.name',
      ],
      [
        [
          ['message', 1],
          ['HostName', 0.2],
        ],
        'HostName',
      ],
      [
        [
          ['kubernetes.pod_name', 0.3],
          ['k8s.node', 0.7],
        ],
        'k8s.node',
      ],
      [
        [
          ['message', 1],
          ['severity', 1],
        ],
        null,
      ],
    ];
    for (const [keys, chosen] of cases) expect(chooseGroupKey(keys.map(([key, weight]) => ({ key, weight })))).toBe(chosen);
    expect(chooseGroupKey([{ key: 'host) calculate(count', weight: 1 }])).toBeNull();
  });

  it('statements carry the recognisable mark; odd keys are refused', () => {
    expect(buildCauseStatement('hostname')).toBe('where(NOT "logusage-explain") groupby(hostname) calculate(bytes) timeslice(8)');
    expect(() => buildCauseStatement('a) where(b')).toThrow(RangeError);
    expect(causeWindowMs('2026-03-10')).toEqual({ fromMs: Date.UTC(2026, 2, 3), toMs: Date.UTC(2026, 2, 11) });
  });
});

describe('analyseCause', () => {
  it('the example of the issue: most of the extra from one host, another new today', () => {
    const a = analyseCause(
      {
        groups: [
          { value: 'web-17', series: flat(10 * GB, 103.6 * GB) },
          { value: 'web-22', series: flat(0, 26.4 * GB) },
          { value: 'web-03', series: flat(10 * GB, 10 * GB) },
        ],
        others: null,
        exact: true,
      },
      'hostname',
      'up',
    );
    expect(a?.contributors.map((c) => [c.value, Math.round(c.share * 100), c.isNew])).toEqual([
      ['web-17', 78, false],
      ['web-22', 22, true],
    ]);
    expect(describeCause(a!, '120 GB')).toBe(
      '78 % of the extra 120 GB came from web-17, 22 % from web-22 (by hostname); web-22 is new today.',
    );
    expect(describeCause(a!, '120 GB', { value: (v) => `*${v}*` })).toContain('came from *web-17*');
  });

  it('a drop: the value that went quiet; approximate when Log Search says so', () => {
    const a = analyseCause(
      {
        groups: [
          { value: 'fw-a', series: flat(5 * GB, 0) },
          { value: 'fw-b', series: flat(5 * GB, 5 * GB) },
        ],
        others: null,
        exact: false,
      },
      'host',
      'down',
    );
    expect(a?.contributors[0]).toMatchObject({ value: 'fw-a', stopped: true, share: 1 });
    expect(describeCause(a!, '5 GB')).toBe(
      '100 % of the drop of 5 GB was in fw-a (by host); fw-a sent nothing today; approximate: Log Search counted over 10,000 values of this key.',
    );
  });

  it('nothing moved the way of the finding: no analysis', () => {
    expect(analyseCause({ groups: [{ value: 'a', series: flat(GB, GB) }], others: null, exact: true }, 'host', 'up')).toBeNull();
    expect(analyseCause({ groups: [], others: null, exact: true }, 'host', 'up')).toBeNull();
  });

  it('only one log’s spike, drop or threshold asks', () => {
    const f = { scope: 'log', logId: 'L', kind: 'spike' } as const;
    expect(wantsCause(f as never)).toBe(true);
    expect(wantsCause({ ...f, kind: 'silent' } as never)).toBe(false);
    expect(wantsCause({ ...f, scope: 'org', logId: null } as never)).toBe(false);
  });
});
