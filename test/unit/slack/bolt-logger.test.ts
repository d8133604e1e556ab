import { LogLevel } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { createBoltLogger } from '../../../src/slack/bolt-logger.js';

function capture(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    level,
    destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
    secrets: ['xoxb-secret-token'],
  });
  return { logger, lines };
}

describe('createBoltLogger', () => {
  it('writes Bolt lines through pino as JSON with the component, errors under err, secrets masked', () => {
    const { logger, lines } = capture('info');
    const bolt = createBoltLogger(logger);
    bolt.info('listening', 3000);
    bolt.error('failed with', new Error('boom xoxb-secret-token'));
    bolt.debug('hidden at info');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 30, component: 'bolt', msg: 'listening 3000' });
    expect(lines[1]?.msg).toContain('Error: boom [REDACTED]');
    expect(JSON.stringify(lines[1]?.err)).not.toContain('xoxb-secret-token');
  });

  it('setLevel changes only its child; setName renames it', () => {
    const { logger, lines } = capture('info');
    const bolt = createBoltLogger(logger);
    bolt.setLevel(LogLevel.ERROR);
    bolt.warn('hidden now');
    expect(lines).toHaveLength(0);
    expect(logger.level).toBe('info');
    bolt.setName('bolt-app');
    bolt.error('visible');
    expect(lines[0]).toMatchObject({ component: 'bolt-app', msg: 'visible' });
  });

  it.each([
    ['info', 0],
    ['debug', 1],
  ])('Bolt asking for debug gets no lower than LOG_LEVEL %s: %i debug lines', (level, shown) => {
    const { logger, lines } = capture(level);
    const bolt = createBoltLogger(logger);
    bolt.setLevel(LogLevel.DEBUG);
    bolt.debug('debug line');
    expect(lines).toHaveLength(shown);
    expect(bolt.getLevel()).toBe(level);
  });
});
