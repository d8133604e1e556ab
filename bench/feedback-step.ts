/**
 * What one feedback step does (docs/detection.md "Feedback from Slack"): replays a labeled synthetic
 * history (test/fixtures/detect/synthetic.ts, seed 7) at the band multipliers 0…FEEDBACK_MAX_STEPS
 * steps above 1 and prints findings, false alerts per 1,000 log-days and recall for each.
 * `npx tsx bench/feedback-step.ts` (about 10 s; loopback-free, in memory).
 */
import { replay } from '../src/detect/backtest.js';
import { DEFAULT_PARAMS } from '../src/detect/params.js';
import type { Finding } from '../src/detect/types.js';
import { FEEDBACK_MAX_STEPS, FEEDBACK_STEP } from '../src/store/feedback.js';
import { generateSynthetic, historyOf, scoreFindings } from '../test/fixtures/detect/synthetic.js';

const set = generateSynthetic({ seed: 7, logs: 300, days: 120 });
const h = historyOf(set);
for (let step = 0; step <= FEEDBACK_MAX_STEPS; step++) {
  const sensitivity = 1 + step * FEEDBACK_STEP;
  const findings: Finding[] = [];
  replay(h, { params: { ...DEFAULT_PARAMS, sensitivity }, onDay: (r) => findings.push(...r.findings) });
  const s = scoreFindings(set, findings);
  console.log(
    `${step} step${step === 1 ? ' ' : 's'} (band ×${sensitivity}): ${s.findings} findings, ${s.falseAlerts} false (${s.falseAlertsPer1000LogDays.toFixed(2)} per 1,000 log-days), recall ${(s.recall * 100).toFixed(1)} % (${s.caught}/${s.events})`,
  );
}
