/** Pure: an audit row → one plain-text line saying what changed ("set threshold #3 (log fw) to 50 GB/day"). */
import type { AuditRecord } from '../store/controls.js';
import { formatBytes, formatDuration } from '../units.js';

/** `nameOf(logId)` gives a display name for a log id. */
export function describeChange(a: AuditRecord, nameOf: (logId: string) => string): string {
  const d = a.details ?? {};
  const num = (k: string) => (typeof d[k] === 'number' ? (d[k] as number) : null);
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : null);
  const logName = a.target ? nameOf(a.target) : 'a log';
  switch (a.action) {
    case 'threshold.set': {
      const scope = str('scope');
      const target = str('target') ?? '';
      const what = scope === 'org' ? 'organisation' : scope === 'log' ? `log ${nameOf(target)}` : `log set ${target}`;
      const prev = num('previousBytesPerDay');
      return `set threshold ${a.target?.replace('threshold:', '#') ?? ''} (${what}) to ${formatBytes(num('bytesPerDay') ?? 0)}/day${prev ? ` (was ${formatBytes(prev)})` : ''}`;
    }
    case 'threshold.remove': {
      const scope = str('scope');
      const target = str('target') ?? '';
      const what = scope === 'org' ? 'organisation' : scope === 'log' ? `log ${nameOf(target)}` : `log set ${target}`;
      return `removed threshold ${a.target?.replace('threshold:', '#') ?? ''} (${what}, ${formatBytes(num('bytesPerDay') ?? 0)}/day)`;
    }
    case 'setting.set':
      if (a.target === 'monthly_budget') {
        const v = d.value;
        return typeof v === 'number' ? `set the monthly budget to ${formatBytes(v)}` : 'cleared the monthly budget';
      }
      return `changed setting ${a.target ?? ''}`;
    case 'setting.delete':
      return a.target === 'monthly_budget' ? 'removed the budget set from Slack' : `removed setting ${a.target ?? ''}`;
    case 'snooze': {
      const ms = num('durationMs');
      const until = str('until');
      return `snoozed ${logName}${ms ? ` for ${formatDuration(ms)}` : ''}${until ? ` (until ${until.slice(0, 16).replace('T', ' ')} UTC)` : ''}`;
    }
    case 'unsnooze':
      return `ended the snooze of ${logName}`;
    case 'mute':
      return `muted ${logName}`;
    case 'unmute':
      return `unmuted ${logName}`;
    case 'accept-normal':
      return `marked ${logName} as expected (new normal from ${str('baselineFrom') ?? '?'})`;
    case 'route.set':
      return `routed log set ${a.target ?? ''} to channel ${str('channel') ?? '?'}`;
    case 'route.remove':
      return `removed the route of log set ${a.target ?? ''}`;
    case 'refresh':
      return 'ran a collection from Slack';
    case 'expect.set': {
      const amount = num('amount');
      const how = str('kind') === 'pct' ? `+${amount ?? '?'} %` : `${formatBytes(amount ?? 0)}/day`;
      const what = str('scope') === 'logset' ? `log set ${a.target ?? ''}` : logName;
      return `planned change #${num('planId') ?? '?'}: ${what} up to ${how} until ${str('untilDay') ?? '?'}${str('why') ? ` (${str('why')})` : ''}`;
    }
    case 'owner.set':
      return `made ${str('owner') ?? '?'} the owner of log set ${a.target ?? ''}`;
    case 'owner.remove':
      return `removed the owner of log set ${a.target ?? ''}`;
    case 'take':
      return `took an alert of ${logName}`;
    case 'expect.end':
      return `ended planned change #${num('planId') ?? '?'}`;
    case 'feedback': {
      const before = num('sensitivityBefore');
      const after = num('sensitivityAfter');
      const moved = before !== null && after !== null && before !== after ? ` (sensitivity ×${before} → ×${after})` : '';
      return str('verdict') === 'noise' ? `marked an alert of ${logName} as noise${moved}` : `found an alert of ${logName} useful${moved}`;
    }
    default:
      return `${a.action}${a.target ? ` ${a.target}` : ''}`;
  }
}
