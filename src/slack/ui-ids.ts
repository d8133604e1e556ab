/**
 * Block Kit ids of the App Home, the settings modals and the alert buttons that open them or give
 * feedback (shared by the builders and the listeners). The snooze / mute / mark-as-expected buttons
 * are in action-ids.ts.
 */
export const UI_ACTION_IDS = {
  /** App Home: open the threshold modal / the budget modal. */
  homeThreshold: 'logusage_home_threshold',
  homeBudget: 'logusage_home_budget',
  /** App Home: open the planned-change modal with a log / log set picker. */
  homeExpect: 'logusage_home_expect',
  /** Alert message: open the threshold modal for the alert's log. */
  setThreshold: 'logusage_set_threshold',
  /** Alert message: feedback that tunes the log's sensitivity (SPEC §7). */
  feedbackUseful: 'logusage_feedback_useful',
  feedbackNoise: 'logusage_feedback_noise',
  /** Alert message: open the planned-change modal for the alert's log. */
  expectUntil: 'logusage_expect_until',
  /** Alert message: "I'm on it". */
  take: 'logusage_take',
} as const;

/** Modal callback ids (the submission arrives as view_submission with this callback_id). */
export const MODAL_IDS = {
  threshold: 'logusage_threshold_modal',
  budget: 'logusage_budget_modal',
  expect: 'logusage_expect_modal',
  notice: 'logusage_notice_modal',
} as const;

/** block_id / action_id of the modal inputs (`view.state.values[block][action]`; errors name the block). */
export const MODAL_FIELDS = {
  scope: 'scope',
  target: 'target',
  size: 'size',
  until: 'until',
  why: 'why',
} as const;
