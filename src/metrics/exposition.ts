/**
 * Prometheus text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
 * Pure: metric families in, text out. Every family has `# HELP` and `# TYPE`; label values escape
 * backslash, double quote and line feed (`\\`, `\"`, `\n`); HELP text escapes backslash and line feed.
 * Values are written as Go's ParseFloat reads them (`NaN`, `+Inf`, `-Inf`, plain decimal otherwise).
 */

export type MetricType = 'gauge' | 'counter';

export interface MetricSample {
  labels?: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  /** [a-zA-Z_:][a-zA-Z0-9_:]* */
  name: string;
  help: string;
  type: MetricType;
  samples: MetricSample[];
}

/** The Content-Type of a scrape answer. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

/** One sample line: `name{a="x",b="y"} value`. Label names must be valid; `__` prefixes are reserved. */
export function formatSample(name: string, s: MetricSample): string {
  const labels = s.labels ? Object.entries(s.labels) : [];
  if (labels.length === 0) return `${name} ${formatValue(s.value)}`;
  const body = labels
    .map(([k, v]) => {
      if (!LABEL.test(k) || k.startsWith('__')) throw new Error(`invalid label name ${JSON.stringify(k)}`);
      return `${k}="${escapeLabelValue(v)}"`;
    })
    .join(',');
  return `${name}{${body}} ${formatValue(s.value)}`;
}

/** The families as one exposition text (ends with a line feed). A family's name appears once. */
export function formatExposition(families: MetricFamily[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of families) {
    if (!NAME.test(f.name)) throw new Error(`invalid metric name ${JSON.stringify(f.name)}`);
    if (seen.has(f.name)) throw new Error(`metric family ${f.name} appears twice`);
    seen.add(f.name);
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) out.push(formatSample(f.name, s));
  }
  return `${out.join('\n')}\n`;
}
