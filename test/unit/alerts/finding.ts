/** A spike finding of log L1 (firewall-eu, 48.2 GB against 15.6 GB) for alert tests; fields override. */
import type { Finding } from '../../../src/detect/types.js';

export function finding(o: Partial<Finding> = {}): Finding {
  return {
    day: '2026-11-03',
    kind: 'spike',
    scope: 'log',
    logId: 'L1',
    logName: 'firewall-eu',
    logsets: ['Security', 'EU'],
    value: 48_200_000_000,
    expected: 15_600_000_000,
    low: 12_000_000_000,
    high: 19_000_000_000,
    score: 3,
    reason: 'firewall-eu sent 48.2 GB, 3.1× its usual 15.6 GB for a Tuesday.',
    changeBytes: 32_600_000_000,
    changePct: 209,
    ...o,
  };
}
