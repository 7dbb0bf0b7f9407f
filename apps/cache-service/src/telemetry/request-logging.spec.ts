import { pino } from 'pino';
import { loadConfig } from '../config/app-config.js';
import { pinoLevelOf } from './request-logging.js';

describe('LOG_LEVEL', () => {
  it('keeps its meaning under pino: each level lets through itself and the ones before it', () => {
    const enabled = (LOG_LEVEL: string): string[] => {
      const logger = pino({ level: pinoLevelOf(loadConfig({ LOG_LEVEL }).logLevel) });
      return ['error', 'warn', 'info', 'debug', 'trace'].filter((level) => logger.isLevelEnabled(level));
    };
    expect(enabled('error')).toEqual(['error']);
    expect(enabled('warn')).toEqual(['error', 'warn']);
    expect(enabled('info')).toEqual(['error', 'warn', 'info']);
    expect(enabled('log')).toEqual(['error', 'warn', 'info']);
    expect(enabled('debug')).toEqual(['error', 'warn', 'info', 'debug']);
    expect(enabled('verbose')).toEqual(['error', 'warn', 'info', 'debug', 'trace']);
  });
});
