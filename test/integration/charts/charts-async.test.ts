/** The chart rasterized off the calling thread (resvg's renderAsync) is the same PNG as the synchronous one. */
import { describe, expect, it } from 'vitest';
import { renderUsageChartPng, renderUsageChartPngAsync, type UsageChartInput } from '../../../src/charts.js';
import { daysInRange } from '../../../src/days.js';

describe('renderUsageChartPngAsync', () => {
  it('gives the bytes renderUsageChartPng gives', async () => {
    const days = daysInRange('2026-02-01', '2026-03-02');
    const input: UsageChartInput = {
      title: 'firewall-eu — bytes per day',
      days,
      values: days.map((_, i) => (i === 20 ? Number.NaN : 5e9 + i * 1e8)),
      expected: days.map(() => 5.5e9),
      low: days.map(() => 4e9),
      high: days.map(() => 7e9),
      anomalies: [days[25] as string],
    };
    const png = await renderUsageChartPngAsync(input);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.equals(renderUsageChartPng(input))).toBe(true);
  });
});
