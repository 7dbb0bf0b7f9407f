import { AppError } from './app-error.js';

/**
 * The one reading of PostgreSQL, Redis and connection errors. Whatever the connection, a failure is one of:
 * - `timeout`: a statement ran into statement_timeout (57014) or the client's query timeout;
 * - `busy`: no connection for us right now (the pool's wait ran out, the server's connection slots are full);
 * - `unavailable`: the database or Redis is down, restarting or out of resources, the connection was lost, or a
 *   transaction was rolled back to be retried (deadlock, serialization);
 * - `invalid_value`: a value the column or function cannot take (SQLSTATE classes 22 and 54, 23502, 23514);
 * - `conflict`: a duplicate, an exclusion or a missing/still-referenced row (23505, 23P01, 23503);
 * - `mismatch`: the statement does not fit the tables it reads (a table or column gone, a type without the operator used);
 * - `forbidden`: the role may not read it (42501).
 * The general mapping (mapInfrastructureError) and the source reader (SourceDatabase) both start from it; the reader
 * only adds what a failure means for a cold fallback.
 */
export type FailureKind = 'timeout' | 'busy' | 'unavailable' | 'invalid_value' | 'conflict' | 'mismatch' | 'forbidden';

export interface Failure {
  kind: FailureKind;
  /** SQLSTATE when PostgreSQL raised it. */
  sqlState: string | null;
  /** The column PostgreSQL names (NOT NULL violations), else null. */
  column: string | null;
  constraint: string | null;
  message: string;
}

interface PgError {
  code: string;
  column?: string;
  constraint?: string;
  message?: string;
}

function pgErrorOf(error: unknown): PgError | null {
  const candidate = (error as { driverError?: unknown })?.driverError ?? error;
  const code = (candidate as { code?: unknown })?.code;
  // SQLSTATE: five characters; pg's DatabaseError also carries a severity (Node's own errors never do).
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && 'severity' in (candidate as object)
    ? (candidate as PgError)
    : null;
}

/** The SQLSTATE of a PostgreSQL error (also wrapped in TypeORM's QueryFailedError), else null. */
export const sqlStateOf = (error: unknown): string | null => pgErrorOf(error)?.code ?? null;

const INVALID_VALUE_CLASSES = new Set(['22', '54']); // data exception, program limit exceeded
const INVALID_VALUE_CODES = new Set(['23502', '23514']); // not null, check
const CONFLICT_CODES = new Set(['23505', '23P01', '23503']); // duplicate, exclusion, foreign key
const MISMATCH_CODES = new Set(['42P01', '42703', '42883', '42804']); // no table, no column, no operator, type mismatch
const BUSY_CODES = new Set(['53300', '53400']); // too many connections, configuration limit
// connection, transaction rollback (deadlock, serialization), insufficient resources, operator intervention, system error
const UNAVAILABLE_CLASSES = new Set(['08', '40', '53', '57', '58']);

/** Lost or refused connections of pg, pg-pool or ioredis (the same set for every connection). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
// ioredis's Cluster during a failover: slots moving to the promoted replica, a slot map not yet refreshed.
const LOST_CONNECTION =
  /Connection terminated|Connection is closed|Stream isn't writeable|MaxRetriesPerRequest|All nodes failed|Command timed out|Too many Cluster redirections|Failed to refresh slots cache|Cluster isn't ready/i;
const POOL_EXHAUSTED = /timeout exceeded when trying to connect/i;
const CLIENT_QUERY_TIMEOUT = /Query read timeout/i;

/** PostgreSQL refused the values given (data exception, integrity violation, program limit), not the connection. */
export const isDataError = (error: unknown): boolean =>
  ['22', '23', '54'].includes(sqlStateOf(error)?.slice(0, 2) ?? '');

/** PostgreSQL or Redis itself failing (down, unreachable, overloaded, too slow), not the request or our SQL. */
export const isOutage = (error: unknown): boolean =>
  ['unavailable', 'busy', 'timeout'].includes(classifyFailure(error)?.kind ?? '');

/** What a failure is, or null when it is not a database, Redis-connection or network failure (then it is a bug of ours). */
export function classifyFailure(error: unknown): Failure | null {
  const pg = pgErrorOf(error);
  if (pg) {
    const kind = kindOfSqlState(pg.code);
    return (
      kind && {
        kind,
        sqlState: pg.code,
        column: pg.column ?? null,
        constraint: pg.constraint ?? null,
        message: pg.message ?? String((error as Error)?.message ?? ''),
      }
    );
  }
  // By shape, not instanceof: errors made in another realm (Node's own socket errors as a test runner's sandbox sees
  // them) are errors all the same.
  if (typeof error !== 'object' || error === null || typeof (error as Error).message !== 'string') return null;
  return classifyErrorLike(error as Error);
}

function classifyErrorLike(error: Error): Failure | null {
  const code = (error as { code?: unknown }).code;
  const failure = (kind: FailureKind): Failure => ({
    kind,
    sqlState: null,
    column: null,
    constraint: null,
    message: error.message,
  });
  if (CLIENT_QUERY_TIMEOUT.test(error.message)) return failure('timeout');
  if (POOL_EXHAUSTED.test(error.message)) return failure('busy');
  if (
    (typeof code === 'string' && NETWORK_CODES.has(code)) ||
    LOST_CONNECTION.test(error.message) ||
    error.name === 'MaxRetriesPerRequestError'
  ) {
    return failure('unavailable');
  }
  return null;
}

function kindOfSqlState(code: string): FailureKind | null {
  const sqlClass = code.slice(0, 2);
  if (code === '57014') return 'timeout';
  if (BUSY_CODES.has(code)) return 'busy';
  if (INVALID_VALUE_CLASSES.has(sqlClass) || INVALID_VALUE_CODES.has(code)) return 'invalid_value';
  if (CONFLICT_CODES.has(code)) return 'conflict';
  if (MISMATCH_CODES.has(code)) return 'mismatch';
  if (code === '42501') return 'forbidden';
  if (UNAVAILABLE_CLASSES.has(sqlClass)) return 'unavailable';
  return null;
}

/**
 * Errors of the infrastructure that are not bugs: a conflict with the current state (409), and the database or Redis
 * unable to serve now (503 SERVICE_UNAVAILABLE with Retry-After; the exception filter logs these). A value PostgreSQL
 * refuses is a bug of ours (500, logged) unless the statement carried the request's values: those call sites run it
 * through withRequestValues (400). Anything else stays an internal error.
 */
export function mapInfrastructureError(error: unknown): AppError | null {
  const failure = classifyFailure(error);
  if (!failure) return mapRedisError(error);
  switch (failure.kind) {
    case 'timeout':
      return unavailable('The database query took too long and was cancelled; retry later or narrow the request');
    case 'busy':
    case 'unavailable':
      return unavailable(
        failure.sqlState
          ? 'The database is unavailable; retry later'
          : 'A backing service (database or Redis) is unavailable; retry later',
      );
    case 'conflict': {
      const details = { sqlState: failure.sqlState, constraint: failure.constraint };
      if (failure.sqlState === '23503')
        return AppError.conflict(
          'The request refers to a row that does not exist, or one that is still referenced',
          details,
        );
      return AppError.conflict('The request conflicts with the current state; reload and retry', details);
    }
    default:
      return null;
  }
}

const camel = (name: string): string => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** 400 naming the field for a value the request gave that PostgreSQL refuses, else null. */
export function requestValueError(error: unknown, field?: string): AppError | null {
  const failure = classifyFailure(error);
  if (failure?.kind !== 'invalid_value') return null;
  const name = failure.column ? camel(failure.column) : (field ?? 'request');
  const message =
    failure.sqlState === '23502'
      ? `${name} must not be null`
      : failure.sqlState === '22001' || failure.sqlState?.startsWith('54')
        ? `${name}: a value of the request is too long or too large`
        : failure.sqlState === '23514'
          ? `${name}: a value of the request is outside the allowed range`
          : `${name}: a value of the request cannot be stored or compared as given (wrong format, out of range, invalid character)`;
  return new AppError('VALIDATION_FAILED', message, {
    fields: [{ field: name, messages: [message] }],
    sqlState: failure.sqlState,
  });
}

/**
 * Runs statements that carry values taken from the request (a body saved, filters compared): a value PostgreSQL
 * refuses there is the client's to fix (400 naming `field`, or the column PostgreSQL names). Everywhere else the same
 * error means our own SQL is wrong, and stays a logged 500.
 */
export async function withRequestValues<T>(work: () => Promise<T>, field?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw requestValueError(error, field) ?? error;
  }
}

/** Redis replies that refuse a value of the request; the rest of Redis's errors are ours or its outages. */
const REDIS_INVALID_VALUE =
  /^ERR (invalid expire time|value is not an integer or out of range|value is not a valid float|increment or decrement would overflow|.*is out of range)/i;
const REDIS_UNAVAILABLE = /^(OOM|LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|READONLY|TRYAGAIN|NOREPLICAS)\b/;

function mapRedisError(error: unknown): AppError | null {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  if (name !== 'ReplyError' || typeof message !== 'string') return null;
  if (REDIS_INVALID_VALUE.test(message)) {
    const text = 'Redis refused a value of the request (out of range or not a number)';
    return new AppError('VALIDATION_FAILED', text, { fields: [{ field: 'request', messages: [text] }] });
  }
  if (message.startsWith('WRONGTYPE'))
    return AppError.conflict('The key holds a different type of value than this operation works on');
  if (REDIS_UNAVAILABLE.test(message)) return unavailable('Redis cannot serve the request right now; retry later');
  return null;
}

/** 503 with the Retry-After the filter sends. */
const unavailable = (message: string): AppError =>
  new AppError('SERVICE_UNAVAILABLE', message, { retryAfterSeconds: 5 });
