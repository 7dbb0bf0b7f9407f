import { CronExpressionParser } from 'cron-parser';

/** The next `count` run times of a cron expression, or null when it does not parse. */
export function nextRuns(expression: string, count: number, from = new Date()): Date[] | null {
  try {
    const parsed = CronExpressionParser.parse(expression, { currentDate: from, tz: 'UTC' });
    return Array.from({ length: count }, () => parsed.next().toDate());
  } catch {
    return null;
  }
}
