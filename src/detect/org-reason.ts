/**
 * Sentences of the organisation-level findings (SPEC §6.6–§6.7), pure. Names are raw (the Slack builders
 * escape them); bytes are whole bytes.
 */
import { formatBytes } from '../units.js';
import type { Contributor } from './types.js';

/** "78 %" (whole percent, "<1 %" for a sliver). */
export function formatShare(share: number): string {
  const p = Math.round(share * 100);
  return p < 1 && share > 0 ? '<1 %' : `${p} %`;
}

/** "web-proxy (62 %), firewall-eu (20 %)" for the first `n` contributors. */
export function contributorList(c: readonly Contributor[], n = 3): string {
  return c
    .slice(0, n)
    .map((x) => `${x.logName} (${formatShare(x.share)})`)
    .join(', ');
}

export function orgReason(value: number, expected: number, c: readonly Contributor[]): string {
  const up = value >= expected;
  const ratio = expected > 0 ? Math.abs(value - expected) / expected : 0;
  const head = `The organisation sent ${formatBytes(value)}, ${Math.round(ratio * 100)} % ${up ? 'more' : 'less'} than its usual ${formatBytes(expected)} for this weekday`;
  return c.length > 0 ? `${head}; ${up ? 'the extra came from' : 'the drop was in'} ${contributorList(c)}.` : `${head}.`;
}

export function creepReason(growth: number, weeks: number, perDay: number, c: readonly Contributor[]): string {
  const head = `Organisation usage is up ${Math.round(growth * 100)} % over ${weeks} weeks (+${formatBytes(perDay)}/day) while no single log stands out`;
  return c.length > 0 ? `${head}; the largest growers: ${contributorList(c, 5)}.` : `${head}.`;
}
