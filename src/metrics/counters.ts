/**
 * The process's event counters for `GET /metrics` (SPEC §10): Rapid7 requests and errors, Slack sends,
 * retries and give-ups. Built once in the composition root (src/main.ts) and passed down to the Rapid7
 * client and the outbox delivery; nothing is created at import time. Label values come from small fixed
 * sets (endpoints, error codes, outcomes), so the registry stays bounded.
 */

/** Every counter this product keeps, with its HELP text. Names follow Prometheus conventions (`_total`). */
export const COUNTERS = {
  rapid7Requests: {
    name: 'logusage_rapid7_requests_total',
    help: 'HTTP requests sent to the Rapid7 API (every retry counts), by endpoint.',
  },
  rapid7Errors: {
    name: 'logusage_rapid7_errors_total',
    help: 'Rapid7 calls that failed after their retries, by endpoint and error code.',
  },
  slackSends: {
    name: 'logusage_slack_sends_total',
    help: 'Slack messages and files delivered from the outbox (confirmed = an earlier attempt had reached Slack).',
  },
  slackRetries: {
    name: 'logusage_slack_retries_total',
    help: 'Slack sends that failed and were queued again for a later attempt.',
  },
  slackDead: {
    name: 'logusage_slack_dead_total',
    help: 'Slack messages given up for good (refused by Slack, or undeliverable for days).',
  },
} as const;

export type CounterId = keyof typeof COUNTERS;
export type Labels = Readonly<Record<string, string>>;

export interface CounterSample {
  id: CounterId;
  labels: Labels;
  value: number;
}

export interface Counters {
  /** Adds `by` (default 1, must be ≥ 0) to the counter `id` with these labels. */
  add(id: CounterId, labels?: Labels, by?: number): void;
  /** Every series so far, in a stable order (by counter, then labels). */
  samples(): CounterSample[];
}

const keyOf = (id: CounterId, labels: Labels) =>
  `${id}\u0000${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\u0000')}`;

export function createCounters(): Counters {
  const series = new Map<string, CounterSample>();
  return {
    add(id, labels = {}, by = 1) {
      if (!(by >= 0) || !Number.isFinite(by) || !(id in COUNTERS)) return;
      const key = keyOf(id, labels);
      const s = series.get(key);
      if (s) s.value += by;
      else series.set(key, { id, labels: { ...labels }, value: by });
    },
    samples: () =>
      [...series.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, s]) => ({ id: s.id, labels: { ...s.labels }, value: s.value })),
  };
}
