import { describe, expect, it } from '@jest/globals';
import { humanLog, logFor, logJson } from './json-log.ts';

describe('local log lines', () => {
  it('reads as a line for a person on a terminal: time, level, message, then the fields', () => {
    const lines: string[] = [];
    const log = humanLog(
      (line) => lines.push(line),
      false,
      () => new Date(2026, 11, 6, 9, 5, 7),
    );

    log({ level: 'INFO', message: 'task starting', service: 'humangov-ca', zone: 'us-east-1a', logFile: '/tmp/a b.log', healthy: 2, skipped: undefined });
    log({ level: 'WARN', message: 'no fields' });

    expect(lines).toEqual(['09:05:07 INFO  task starting  service=humangov-ca zone=us-east-1a logFile="/tmp/a b.log" healthy=2', '09:05:07 WARN  no fields']);
  });

  it('colours the level only when asked', () => {
    const lines: string[] = [];
    humanLog((line) => lines.push(line), true)({ level: 'ERROR', message: 'x' });
    expect(lines[0]).toContain('\u001b[31mERROR\u001b[39m');
  });

  it('stays JSON when piped or with --json-logs, and is human only on a terminal', () => {
    const write = () => {};
    expect(logFor({ isTTY: false, jsonLogs: false, color: false, write })).toBe(logJson);
    expect(logFor({ isTTY: true, jsonLogs: true, color: true, write })).toBe(logJson);
    expect(logFor({ isTTY: true, jsonLogs: false, color: true, write })).not.toBe(logJson);
  });
});
