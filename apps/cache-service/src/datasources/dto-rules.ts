import { registerDecorator, ValidateBy, type ValidationOptions } from 'class-validator';
import { nextRuns } from './cron.js';
import { parseSourceName, tableNameMessage } from './source-name.js';

// The class-validator rules of the DTOs, apart from the parsers they share with the services (cron.ts,
// source-name.ts): a worker runs those services but loads no DTO, and so never loads class-validator.

/** class-validator rule for DTO fields holding a table name (the same rule as parseSourceName). */
export function IsSourceTableName(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSourceTableName',
      validator: {
        validate: (value: unknown) => parseSourceName(value) !== null,
        defaultMessage: (args) => tableNameMessage(args?.property ?? 'tableName'),
      },
    },
    options,
  );
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
