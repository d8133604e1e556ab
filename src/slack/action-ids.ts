/** Block Kit action ids of the buttons on alert messages (shared by the builders and the listeners). */
export const ACTION_IDS = {
  snoozeDay: 'logusage_snooze_1d',
  snoozeWeek: 'logusage_snooze_1w',
  acceptNormal: 'logusage_accept_normal',
  muteLog: 'logusage_mute_log',
} as const;

export type ActionId = (typeof ACTION_IDS)[keyof typeof ACTION_IDS];

/** The button `value`: which alert and log it acts on (JSON, at most 2,000 characters). */
export interface AlertButtonValue {
  alertId: number | null;
  logId: string | null;
  kind: string;
}
