import { AppError } from './app-error.js';

/**
 * PostgreSQL and Redis errors that a request's values caused (a value the column cannot hold, a duplicate, a
 * TTL Redis refuses) are the client's to fix: 4xx with a code. Those that say the database or Redis cannot
 * serve right now are 503, retryable. Anything else stays an internal error (500): it is a bug of ours.
 */
export function mapInfrastructureError(error: unknown): AppError | null {
  return mapDatabaseError(error) ?? mapRedisError(error) ?? mapConnectionError(error);
}

interface PgError {
  code: string;
  column?: string;
  constraint?: string;
  table?: string;
}

const camel = (name: string): string => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

function pgErrorOf(error: unknown): PgError | null {
  const candidate = (error as { driverError?: unknown })?.driverError ?? error;
  const code = (candidate as { code?: unknown })?.code;
  // SQLSTATE: five characters; pg's DatabaseError also carries a severity (Node's own errors never do).
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && 'severity' in (candidate as object) ? (candidate as PgError) : null;
}

/** The SQLSTATE of a PostgreSQL error (also wrapped in TypeORM's QueryFailedError), else null. */
export const sqlStateOf = (error: unknown): string | null => pgErrorOf(error)?.code ?? null;

/** PostgreSQL refused the values given (data exception, integrity violation, program limit), not the connection. */
export const isDataError = (error: unknown): boolean => ['22', '23', '54'].includes(sqlStateOf(error)?.slice(0, 2) ?? '');

/** SQLSTATE classes (two characters) and codes, by what they mean for the client. */
const INVALID_VALUE_CLASSES = new Set(['22']); // data exception: a value of the request the column or function cannot take
const CONFLICT_CODES = new Set(['23505', '23P01']); // duplicate, exclusion
// connection, transaction rollback (deadlock, serialization), insufficient resources, operator intervention, system error
const UNAVAILABLE_CLASSES = new Set(['08', '40', '53', '57', '58']);

function mapDatabaseError(error: unknown): AppError | null {
  const pg = pgErrorOf(error);
  if (!pg) return null;
  const field = pg.column ? camel(pg.column) : 'request';
  const sqlClass = pg.code.slice(0, 2);
  if (pg.code === '57014') {
    return new AppError('SERVICE_UNAVAILABLE', 'The database query took too long and was cancelled; retry later or narrow the request', {
      retryAfterSeconds: 5,
    });
  }
  if (INVALID_VALUE_CLASSES.has(sqlClass) || pg.code === '23502' || pg.code === '23514' || sqlClass === '54') {
    const message =
      pg.code === '23502'
        ? `${field} must not be null`
        : pg.code === '22001' || sqlClass === '54'
          ? 'a value of the request is too long or too large'
          : pg.code === '23514'
            ? 'a value of the request is outside the allowed range'
            : 'a value of the request cannot be stored or compared as given (wrong format, out of range, invalid character)';
    return new AppError('VALIDATION_FAILED', message, { fields: [{ field, messages: [message] }], sqlState: pg.code });
  }
  const conflict = { sqlState: pg.code, constraint: pg.constraint ?? null };
  if (pg.code === '23503') return AppError.conflict('The request refers to a row that does not exist, or one that is still referenced', conflict);
  if (CONFLICT_CODES.has(pg.code)) return AppError.conflict('The request conflicts with the current state; reload and retry', conflict);
  if (UNAVAILABLE_CLASSES.has(sqlClass)) return unavailable('The database is unavailable; retry later');
  return null;
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
  if (message.startsWith('WRONGTYPE')) return AppError.conflict('The key holds a different type of value than this operation works on');
  if (REDIS_UNAVAILABLE.test(message)) return unavailable('Redis cannot serve the request right now; retry later');
  return null;
}

/** Lost or refused connections and exhausted pools, from pg, pg-pool or ioredis. */
const CONNECTION_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|Connection is closed|Stream isn't writeable|MaxRetriesPerRequest|All nodes failed/i;
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

function mapConnectionError(error: unknown): AppError | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  const refused = typeof code === 'string' && CONNECTION_CODES.has(code);
  if (refused || CONNECTION_MESSAGES.test(error.message) || error.name === 'MaxRetriesPerRequestError') {
    return unavailable('A backing service (database or Redis) is unavailable; retry later');
  }
  return null;
}

/** 503 with the Retry-After the filter sends. */
const unavailable = (message: string): AppError => new AppError('SERVICE_UNAVAILABLE', message, { retryAfterSeconds: 5 });
