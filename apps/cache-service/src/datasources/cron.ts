import { CronExpressionParser } from 'cron-parser';
import { registerDecorator, type ValidationOptions } from 'class-validator';

/** The next `count` run times of a cron expression, or null when it does not parse. */
export function nextRuns(expression: string, count: number, from = new Date()): Date[] | null {
  try {
    const parsed = CronExpressionParser.parse(expression, { currentDate: from, tz: 'UTC' });
    return Array.from({ length: count }, () => parsed.next().toDate());
  } catch {
    return null;
  }
}

export function IsCronExpression(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCronExpression',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be a valid cron expression, e.g. "0 */4 * * *"`, ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && value.trim().split(/\s+/).length >= 5 && nextRuns(value, 1) !== null,
      },
    });
}
