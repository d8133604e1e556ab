/**
 * Usage charts as PNG: ECharts renders SVG server-side, resvg turns it into PNG. resvg draws no text
 * (and raises no error) without a font, so a TrueType font is loaded explicitly — DejaVu Sans from
 * Debian's fonts-dejavu-core by default — and a missing font is an AppError telling how to fix it.
 *
 * Inputs are bytes per UTC day; NaN marks a day with no data (drawn as a gap). Axis labels are
 * formatted with our own `formatBytes` (SI units). Pure apart from reading the font file.
 */
import { closeSync, openSync } from 'node:fs';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import { renderInChartProcess } from './chart-process.js';
import type { Day } from './days.js';
import { AppError } from './errors.js';
import { formatBytes } from './units.js';

export const DEFAULT_FONT_PATH = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const FONT_FAMILY = 'DejaVu Sans';

export interface UsageChartInput {
  title: string;
  /** Optional second line under the title (plain text). */
  subtitle?: string;
  days: Day[];
  /** Bytes per day, aligned with `days`; NaN = no data. */
  values: ArrayLike<number>;
  /** Baseline (typical bytes) per day; NaN where unknown. */
  expected?: ArrayLike<number>;
  /** Band of normal values per day; NaN where unknown. */
  low?: ArrayLike<number>;
  high?: ArrayLike<number>;
  /** Anomalous days, marked in red. */
  anomalies?: Day[];
  /** Pixels (default 1000 × 450). */
  width?: number;
  height?: number;
  /** A .ttf/.otf file; default DEFAULT_FONT_PATH. */
  fontPath?: string;
}

const num = (v: number | undefined): number | '-' => (v === undefined || !Number.isFinite(v) ? '-' : v);

/** Checks the font file can be read (resvg would silently draw no text), or explains how to install it. */
export function checkChartFont(fontPath: string = DEFAULT_FONT_PATH): string {
  try {
    closeSync(openSync(fontPath, 'r'));
    return fontPath;
  } catch (err) {
    throw new AppError(
      'CONFIG_INVALID',
      `The chart font ${fontPath} is missing or unreadable (${(err as NodeJS.ErrnoException).code ?? 'error'}), so charts cannot show text. Install it (Debian/Ubuntu: apt-get install fonts-dejavu-core) or pass another TrueType font file.`,
      { cause: err },
    );
  }
}

/** The ECharts option of a usage chart (exported for tests). */
export function buildUsageChartOption(input: UsageChartInput): echarts.EChartsCoreOption {
  const n = input.days.length;
  const values = Array.from({ length: n }, (_, i) => num(input.values[i]));
  const hasBand = input.low !== undefined && input.high !== undefined;
  const low = Array.from({ length: n }, (_, i) => num(input.low?.[i]));
  const bandWidth = Array.from({ length: n }, (_, i) => {
    const l = input.low?.[i];
    const h = input.high?.[i];
    return l !== undefined && h !== undefined && Number.isFinite(l) && Number.isFinite(h) ? Math.max(0, h - l) : '-';
  });
  const anomalySet = new Set(input.anomalies ?? []);
  const anomalies = input.days.map((d, i) =>
    anomalySet.has(d) && Number.isFinite(input.values[i] as number) ? (input.values[i] as number) : '-',
  );
  const labels = input.days.map((d) => d.slice(5));
  const series: unknown[] = [];
  if (hasBand) {
    series.push(
      { name: 'band-low', type: 'line', data: low, stack: 'band', symbol: 'none', lineStyle: { opacity: 0 }, silent: true },
      {
        name: 'normal range',
        type: 'line',
        data: bandWidth,
        stack: 'band',
        symbol: 'none',
        lineStyle: { opacity: 0 },
        areaStyle: { color: 'rgba(84, 112, 198, 0.18)' },
        itemStyle: { color: 'rgba(84, 112, 198, 0.45)' },
        silent: true,
      },
    );
  }
  if (input.expected) {
    series.push({
      name: 'expected',
      type: 'line',
      data: Array.from({ length: n }, (_, i) => num(input.expected?.[i])),
      symbol: 'none',
      lineStyle: { type: 'dashed', color: '#5470c6', width: 1.5 },
      itemStyle: { color: '#5470c6' },
      connectNulls: false,
    });
  }
  series.push({
    name: 'bytes/day',
    type: 'line',
    data: values,
    symbol: 'circle',
    symbolSize: 4,
    lineStyle: { color: '#222', width: 2 },
    itemStyle: { color: '#222' },
    connectNulls: false,
  });
  if (anomalySet.size > 0) {
    series.push({ name: 'anomaly', type: 'scatter', data: anomalies, symbolSize: 12, itemStyle: { color: '#d62728' }, z: 10 });
  }
  const legend = [
    'bytes/day',
    ...(input.expected ? ['expected'] : []),
    ...(hasBand ? ['normal range'] : []),
    ...(anomalySet.size ? ['anomaly'] : []),
  ];
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: FONT_FAMILY },
    title: {
      text: input.title,
      subtext: input.subtitle ?? '',
      left: 16,
      top: 8,
      textStyle: { fontFamily: FONT_FAMILY, fontSize: 18, color: '#111' },
      subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555' },
    },
    legend: { data: legend, left: 'center', bottom: 6, itemGap: 24, textStyle: { fontFamily: FONT_FAMILY, fontSize: 12 } },
    grid: { left: 90, right: 32, top: input.subtitle ? 78 : 56, bottom: 64 },
    xAxis: {
      type: 'category',
      data: labels,
      boundaryGap: false,
      axisLabel: { fontFamily: FONT_FAMILY, fontSize: 11, color: '#333' },
    },
    yAxis: {
      type: 'value',
      min: 0,
      axisLabel: { fontFamily: FONT_FAMILY, fontSize: 11, color: '#333', formatter: (v: number) => formatBytes(v) },
      splitLine: { lineStyle: { color: '#e6e6e6' } },
    },
    series,
  };
}

/** The chart as an SVG string. */
export function renderUsageChartSvg(input: UsageChartInput): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: input.width ?? 1000, height: input.height ?? 450 });
  try {
    chart.setOption(buildUsageChartOption(input));
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

function resvgOptions(font: string): ResvgRenderOptions {
  return {
    background: '#ffffff',
    font: {
      fontFiles: [font],
      loadSystemFonts: false,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
  };
}

/** The chart as PNG bytes, text drawn with the font at `input.fontPath` (default DejaVu Sans). */
export function renderUsageChartPng(input: UsageChartInput): Buffer {
  const font = checkChartFont(input.fontPath);
  const svg = renderUsageChartSvg(input);
  return new Resvg(svg, resvgOptions(font)).render().asPng();
}

/**
 * The same PNG, drawn in the chart process (src/chart-process.ts): the calling thread only checks the font. For
 * the Slack thread (`/logusage chart`), where building the SVG (60–250 ms) would hold every other answer.
 */
export async function renderUsageChartPngAsync(input: UsageChartInput): Promise<Buffer> {
  const font = checkChartFont(input.fontPath);
  return renderInChartProcess({ ...input, fontPath: font });
}
