/**
 * The alert stage's reading of log-set owners (src/store/owners.ts): each log or log-set finding of the day
 * carries its owner in `details.owner` (a Slack user or user group id), so its message mentions them
 * (src/slack/blocks/alert-ui.ts) on the first post and on every update. Detection is unchanged.
 */
import type { Finding } from '../detect/types.js';
import type { Db } from '../store/db.js';
import { listOwners, ownerFor } from '../store/owners.js';

export function withOwners(db: Db, findings: Finding[]): Finding[] {
  const owners = listOwners(db);
  if (owners.length === 0) return findings;
  return findings.map((f) => {
    const owner = f.scope === 'log' ? ownerFor(owners, f.logsets) : f.scope === 'logset' ? ownerFor(owners, [f.logName]) : undefined;
    return owner ? { ...f, details: { ...f.details, owner } } : f;
  });
}
