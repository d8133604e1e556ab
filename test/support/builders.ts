/** Builders of the values tests feed the pure core and the Block Kit builders; fields given override. */
import type { Finding } from '../../src/detect/types.js';
import type { LogInfo } from '../../src/store/usage.js';

/** A spike finding of log L1 (firewall-eu, 48.2 GB against 15.6 GB) for alert tests. */
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

/** A spike of log L1 k8s-audit (Platform), 41 GB against 16 GB (+25 GB, +156 %) on 2026-03-10: the money tests' finding. */
export function k8sAuditSpike(o: Partial<Finding> = {}): Finding {
  return finding({
    day: '2026-03-10',
    logName: 'k8s-audit',
    logsets: ['Platform'],
    value: 41e9,
    expected: 16e9,
    low: 12e9,
    high: 20e9,
    reason: 'k8s-audit sent 41 GB, 2.6× its usual 16 GB.',
    changeBytes: 25e9,
    changePct: 156,
    ...o,
  });
}

/** A log as the store lists it: listed in management, a token log, in the log sets named (each set's id is its name). */
export function logInfo(id: string, name: string | null, sets: string[] = []): LogInfo {
  return {
    id,
    name,
    logsets: sets.map((s) => ({ id: s, name: s })),
    inManagement: true,
    everListed: true,
    firstSeen: null,
    lastSeen: null,
    sourceType: 'token',
    platformManaged: false,
    retentionPeriod: null,
    tokenCount: null,
  };
}
