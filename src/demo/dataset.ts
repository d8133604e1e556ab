/**
 * The demo's history, pure and seeded: ~50 logs in eight log sets over `days` UTC days, with a weekly
 * rhythm (business logs dip at weekends), noise, slow growth, and scripted events the daily runs will
 * meet: a holiday, a spike that ends, a lasting level shift (new normal), a collector outage (a whole log
 * set silent for two days), a log going silent, two logs named "Endpoint Agents" in different log sets,
 * an internal log that spikes, a new log, a late large spike, and spending that puts the monthly budget
 * under pressure. Bytes are whole bytes per day.
 */
import { addDays, type Day, weekdayOf } from '../days.js';
import { createRandom } from '../random.js';
import type { SimulatorData } from '../rapid7/simulator.js';

export interface DemoEvents {
  /** The log whose short spike is alerted, updated and resolved. */
  spike: { log: string; days: Day[] };
  /** The log whose level doubles and stays: alerts, then one new-normal notice. */
  shift: { log: string; from: Day };
  /** The log that stops sending for good. */
  silent: { log: string; from: Day };
  /** The log that appears. */
  newLog: { log: string; from: Day };
  /** The big spike on the last day. */
  lastSpike: { log: string; day: Day };
  /** A collector outage: every log of this log set sends nothing on these days (one log-set message). */
  logsetOutage: { logset: string; days: Day[] };
  /** An organisation-wide holiday: most logs send a fraction of their usual volume. */
  holiday: Day;
  /** Two logs named alike in different log sets (told apart by their log set); `log` is the id of the one that spikes. */
  sameName: { name: string; logsets: [string, string]; log: string; day: Day };
  /** A platform-internal log (source_type internal) that spikes: no alert unless WATCH_INTERNAL_LOGS=true. */
  internal: { log: string; day: Day };
}

export interface DemoDataset {
  data: SimulatorData;
  days: Day[];
  events: DemoEvents;
}

interface LogSpec {
  name: string;
  set: string;
  /** Typical weekday bytes. */
  base: number;
  /** Weekend level as a share of weekdays. */
  weekend: number;
  /** Growth per day (fraction). */
  growth: number;
  /** Id seed when the name repeats (default: the name). */
  key?: string;
  /** `source_type: "internal"`. */
  internal?: boolean;
}

const GB = 1e9;
const MB = 1e6;

const LOGS: LogSpec[] = [
  { name: 'firewall-eu', set: 'Security', base: 48 * GB, weekend: 0.8, growth: 0.001 },
  { name: 'firewall-us', set: 'Security', base: 61 * GB, weekend: 0.8, growth: 0.001 },
  { name: 'edr-agents', set: 'Security', base: 22 * GB, weekend: 0.55, growth: 0.0005 },
  { name: 'auth-okta', set: 'Security', base: 3.2 * GB, weekend: 0.3, growth: 0 },
  { name: 'vpn-gateway', set: 'Security', base: 5.5 * GB, weekend: 0.25, growth: 0 },
  { name: 'dns-resolvers', set: 'Security', base: 14 * GB, weekend: 0.7, growth: 0 },
  { name: 'ids-suricata', set: 'Security', base: 9 * GB, weekend: 0.9, growth: 0 },
  { name: 'proxy-squid', set: 'Security', base: 11 * GB, weekend: 0.35, growth: 0 },
  { name: 'nginx-access-eu', set: 'Web', base: 18 * GB, weekend: 0.6, growth: 0.002 },
  { name: 'nginx-access-us', set: 'Web', base: 24 * GB, weekend: 0.65, growth: 0.002 },
  { name: 'nginx-error', set: 'Web', base: 600 * MB, weekend: 0.6, growth: 0 },
  { name: 'cdn-edge', set: 'Web', base: 35 * GB, weekend: 0.75, growth: 0.001 },
  { name: 'api-gateway', set: 'Web', base: 12 * GB, weekend: 0.5, growth: 0.001 },
  { name: 'checkout-service', set: 'Web', base: 4.1 * GB, weekend: 0.7, growth: 0 },
  { name: 'search-service', set: 'Web', base: 2.7 * GB, weekend: 0.6, growth: 0 },
  { name: 'static-assets', set: 'Web', base: 900 * MB, weekend: 0.6, growth: 0 },
  { name: 'k8s-audit', set: 'Platform', base: 16 * GB, weekend: 0.9, growth: 0 },
  { name: 'k8s-events', set: 'Platform', base: 3.8 * GB, weekend: 0.9, growth: 0 },
  { name: 'postgres-slow', set: 'Platform', base: 1.4 * GB, weekend: 0.5, growth: 0 },
  { name: 'redis-cluster', set: 'Platform', base: 700 * MB, weekend: 0.8, growth: 0 },
  { name: 'kafka-brokers', set: 'Platform', base: 6.3 * GB, weekend: 0.85, growth: 0.001 },
  { name: 'rabbitmq', set: 'Platform', base: 450 * MB, weekend: 0.8, growth: 0 },
  { name: 'jenkins', set: 'Platform', base: 2.2 * GB, weekend: 0.15, growth: 0 },
  { name: 'gitlab', set: 'Platform', base: 1.9 * GB, weekend: 0.2, growth: 0 },
  { name: 'ad-dc-01', set: 'Windows', base: 7.5 * GB, weekend: 0.4, growth: 0 },
  { name: 'ad-dc-02', set: 'Windows', base: 7.1 * GB, weekend: 0.4, growth: 0 },
  { name: 'ad-dc-03', set: 'Windows', base: 6.8 * GB, weekend: 0.4, growth: 0 },
  { name: 'windows-events', set: 'Windows', base: 27 * GB, weekend: 0.45, growth: 0 },
  { name: 'sysmon', set: 'Windows', base: 19 * GB, weekend: 0.5, growth: 0 },
  { name: 'exchange', set: 'Windows', base: 3.3 * GB, weekend: 0.3, growth: 0 },
  { name: 'file-servers', set: 'Windows', base: 2.5 * GB, weekend: 0.2, growth: 0 },
  { name: 'aws-cloudtrail', set: 'Cloud', base: 9.8 * GB, weekend: 0.7, growth: 0.001 },
  { name: 'aws-vpc-flow', set: 'Cloud', base: 42 * GB, weekend: 0.85, growth: 0.001 },
  { name: 'aws-elb', set: 'Cloud', base: 8.4 * GB, weekend: 0.6, growth: 0 },
  { name: 'gcp-audit', set: 'Cloud', base: 2.9 * GB, weekend: 0.7, growth: 0 },
  { name: 'azure-activity', set: 'Cloud', base: 1.6 * GB, weekend: 0.6, growth: 0 },
  { name: 'azure-signin', set: 'Cloud', base: 1.1 * GB, weekend: 0.35, growth: 0 },
  { name: 'o365-audit', set: 'Cloud', base: 4.4 * GB, weekend: 0.3, growth: 0 },
  // One collector's log set (its outage is one message, SPEC §7).
  { name: 'linux-web-01', set: 'Linux servers', base: 2.4 * GB, weekend: 0.7, growth: 0 },
  { name: 'linux-web-02', set: 'Linux servers', base: 2.1 * GB, weekend: 0.7, growth: 0 },
  { name: 'linux-db-01', set: 'Linux servers', base: 3.6 * GB, weekend: 0.8, growth: 0 },
  { name: 'linux-db-02', set: 'Linux servers', base: 3.3 * GB, weekend: 0.8, growth: 0 },
  { name: 'linux-batch', set: 'Linux servers', base: 1.2 * GB, weekend: 0.9, growth: 0 },
  { name: 'linux-bastion', set: 'Linux servers', base: 0.8 * GB, weekend: 0.6, growth: 0 },
  // InsightIDR names one log "Endpoint Agents" per log set (SPEC §4).
  { name: 'Endpoint Agents', set: 'Security', base: 6.5 * GB, weekend: 0.5, growth: 0, key: 'endpoint-agents-security' },
  { name: 'Endpoint Agents', set: 'Windows', base: 5.8 * GB, weekend: 0.5, growth: 0, key: 'endpoint-agents-windows' },
  // A platform-internal log (SPEC §4).
  { name: 'Web Access Log', set: 'Internal Logs', base: 350 * MB, weekend: 0.6, growth: 0, internal: true },
];

/** A stable UUID-shaped id for a log name. */
export function demoLogId(name: string): string {
  let h = 2166136261;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-de70-4000-8000-${hex}${hex.slice(0, 4)}`;
}

/**
 * `count` days ending at `lastDay`. Events are placed relative to the end so that a daily replay of the
 * last two weeks meets each of them.
 */
export function buildDemoDataset(lastDay: Day, count = 60, seed = 7): DemoDataset {
  const rnd = createRandom(seed);
  const days: Day[] = [];
  for (let i = count - 1; i >= 0; i--) days.push(addDays(lastDay, -i));
  const at = (fromEnd: number) => addDays(lastDay, -fromEnd);
  const events: DemoEvents = {
    shift: { log: 'k8s-audit', from: at(12) },
    spike: { log: 'nginx-access-eu', days: [at(9), at(8)] },
    silent: { log: 'ad-dc-03', from: at(5) },
    newLog: { log: 'payments-api', from: at(2) },
    lastSpike: { log: 'aws-vpc-flow', day: lastDay },
    logsetOutage: { logset: 'Linux servers', days: [at(7), at(6)] },
    holiday: at(11),
    sameName: { name: 'Endpoint Agents', logsets: ['Security', 'Windows'], log: demoLogId('endpoint-agents-windows'), day: at(4) },
    internal: { log: demoLogId('Web Access Log'), day: at(4) },
  };
  const specs = [...LOGS, { name: events.newLog.log, set: 'Web', base: 5.2 * GB, weekend: 0.6, growth: 0 }];
  const data: SimulatorData = {
    logs: specs.map((s) => ({
      id: demoLogId(s.key ?? s.name),
      name: s.name,
      logsets: [{ id: `set-${s.set.toLowerCase().replace(/ /g, '-')}`, name: s.set }],
      ...(s.internal ? { sourceType: 'internal', tokens: 0 } : {}),
    })),
    usage: new Map(),
  };
  for (const [i, day] of days.entries()) {
    const perLog = new Map<string, number>();
    const w = weekdayOf(day);
    const weekend = w === 0 || w === 6;
    for (const [k, s] of specs.entries()) {
      const id = demoLogId(s.key ?? s.name);
      if (s.name === events.newLog.log && day < events.newLog.from) continue;
      if (s.name === events.silent.log && day >= events.silent.from) continue;
      if (s.set === events.logsetOutage.logset && events.logsetOutage.days.includes(day)) continue;
      let v = s.base * (1 + s.growth) ** i * (weekend ? s.weekend : 1) * (1 + (rnd() - 0.5) * 0.12);
      if (s.name === events.shift.log && day >= events.shift.from) v *= 2.6;
      if (s.name === events.spike.log && events.spike.days.includes(day)) v *= 3.4;
      if (s.name === events.lastSpike.log && day === events.lastSpike.day) v *= 3.1;
      if ((id === events.sameName.log || id === events.internal.log) && day === events.sameName.day) v *= 4.5;
      // The holiday: nine logs in ten at a quarter of their volume.
      if (day === events.holiday && k % 10 !== 0) v *= 0.25;
      perLog.set(id, Math.round(v));
    }
    data.usage.set(day, perLog);
  }
  return { data, days, events };
}

/** A budget that the month's projection puts under pressure (past 80 %, under 100 %). */
export function demoBudget(ds: DemoDataset): number {
  let weekTotal = 0;
  for (const day of ds.days.slice(-7)) for (const b of ds.data.usage.get(day)?.values() ?? []) weekTotal += b;
  const monthly = (weekTotal / 7) * 30.4;
  return Math.round(monthly / 0.9 / 1e12) * 1e12 || Math.round(monthly / 0.9);
}
