import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import type { FieldError } from '@ccc/shared-types';
import { AppError } from './app-error.js';
import { findInputProblem } from './input-guard.js';

/** Flattens nested class-validator errors into `a.b.c` field paths. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own: FieldError[] = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/** What @nestjs/swagger records per DTO property: the contract the OpenAPI document is built from. */
interface ApiPropertyMeta {
  nullable?: boolean;
  format?: string;
  isArray?: boolean;
  type?: unknown;
}
const API_MODEL_PROPERTIES = 'swagger/apiModelProperties';
const API_MODEL_PROPERTIES_ARRAY = 'swagger/apiModelPropertiesArray';

type DtoClass = abstract new (...args: never[]) => unknown;

// Per DTO class, read once: decorators do not change at run time, and every body and query passes here.
const contracts = new WeakMap<DtoClass, Map<string, ApiPropertyMeta>>();

const propertiesOf = (dto: DtoClass): Map<string, ApiPropertyMeta> => {
  let properties = contracts.get(dto);
  if (!properties) {
    const names = (Reflect.getMetadata(API_MODEL_PROPERTIES_ARRAY, dto.prototype) as string[] | undefined) ?? [];
    properties = new Map(
      names.map((name) => [
        name.slice(1),
        (Reflect.getMetadata(API_MODEL_PROPERTIES, dto.prototype, name.slice(1)) as ApiPropertyMeta) ?? {},
      ]),
    );
    contracts.set(dto, properties);
  }
  return properties;
};

/** The DTO class a property holds, when the contract says it holds one (`type: Dto` or `type: () => Dto`). */
function nestedDto(meta: ApiPropertyMeta): DtoClass | null {
  const type = meta.type;
  if (typeof type !== 'function') return null;
  const isDto = (candidate: unknown): candidate is DtoClass =>
    typeof candidate === 'function' &&
    Reflect.hasMetadata(API_MODEL_PROPERTIES_ARRAY, (candidate as DtoClass).prototype ?? {});
  if (isDto(type)) return type;
  // `type: () => Dto` (a lazy reference): a class constructor cannot be called without `new`, an arrow function can.
  if (!type.prototype) {
    const resolved = (type as () => unknown)();
    return isDto(resolved) ? resolved : null;
  }
  return null;
}

// YYYY-MM-DD, optionally THH:MM[:SS[.fff]] with Z or an offset: the forms ISO 8601 date-times take in this API.
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** A real calendar date (no 30 February, no hour 25); PostgreSQL would refuse the rest with an error. */
export function isCalendarDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const [, year, month, day, hour = '0', minute = '0', second = '0'] = match.map(
    (part) => part ?? undefined,
  ) as string[];
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  const dateOk = Number(month) >= 1 && Number(month) <= 12 && Number(day) >= 1 && Number(day) <= daysInMonth;
  return dateOk && Number(hour) <= 23 && Number(minute) <= 59 && Number(second) <= 59;
}

/**
 * Before class-transformer and class-validator see a body or query, the contract (the OpenAPI metadata of its
 * DTO) is applied to it, the same way for every route:
 * - `null` for a property the contract does not mark nullable means "absent" (on an update: leave it as it
 *   is; on a create: the default, or "required" if it has none) — it never reaches a NOT NULL column;
 * - a property that holds an object refuses an array or a scalar (`columnMapping: []`);
 * - a `date` / `date-time` property must be a real calendar date.
 * Returns the normalised copy and the problems found (field paths as in validation errors).
 */
export function applyContract(value: unknown, dto: DtoClass, prefix = ''): { value: unknown; problems: FieldError[] } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { value, problems: [] };
  const properties = propertiesOf(dto);
  if (properties.size === 0) return { value, problems: [] };
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const problems: FieldError[] = [];
  for (const [key, meta] of properties) {
    if (!(key in copy)) continue;
    const field = prefix ? `${prefix}.${key}` : key;
    const item = copy[key];
    if (item === null) {
      if (!meta.nullable) delete copy[key];
      continue;
    }
    const nested = nestedDto(meta);
    if (nested && meta.isArray) {
      if (Array.isArray(item)) {
        copy[key] = item.map((element, index) => {
          const result = applyContract(element, nested, `${field}.${index}`);
          problems.push(...result.problems);
          return result.value;
        });
      }
    } else if (nested) {
      if (typeof item !== 'object' || Array.isArray(item)) {
        problems.push({ field, messages: [`${field} must be an object`] });
        continue;
      }
      const result = applyContract(item, nested, field);
      copy[key] = result.value;
      problems.push(...result.problems);
    }
    if ((meta.format === 'date-time' || meta.format === 'date') && typeof item === 'string' && !isCalendarDate(item)) {
      const kind = meta.format === 'date' ? 'date (YYYY-MM-DD)' : 'date-time (ISO 8601)';
      problems.push({ field, messages: [`${field} must be a real calendar ${kind}`] });
    }
  }
  return { value: copy, problems };
}

/** `from` after `to` is no window at all: refused wherever a request carries both. */
function windowProblem(value: unknown): FieldError[] {
  const { from, to } = (value ?? {}) as { from?: unknown; to?: unknown };
  const time = (v: unknown): number =>
    v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (from === undefined || to === undefined || !(time(from) > time(to))) return [];
  return [
    { field: 'from', messages: ['from must not be later than to'] },
    { field: 'to', messages: ['to must not be earlier than from'] },
  ];
}

/**
 * The one pipe every argument goes through: path parameters get the checks the input guard gives bodies and
 * queries (NUL, unpaired surrogates); bodies and queries get their contract applied; then class-validator with
 * the whitelist (unknown fields refused); then the window rule.
 */
export class ContractValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param') {
      const problem = findInputProblem(value, metadata.data ?? null);
      if (problem) throw problem;
    }
    let input = value;
    if ((metadata.type === 'body' || metadata.type === 'query') && typeof metadata.metatype === 'function') {
      const applied = applyContract(value, metadata.metatype as DtoClass);
      if (applied.problems.length > 0) throw AppError.validation(applied.problems);
      input = applied.value;
    }
    const result = await super.transform(input, metadata);
    if (metadata.type === 'body' || metadata.type === 'query') {
      const window = windowProblem(result);
      if (window.length > 0) throw AppError.validation(window);
    }
    return result;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ContractValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => AppError.validation(toFieldErrors(errors)),
  });
}
