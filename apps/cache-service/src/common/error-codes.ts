import type { ErrorCode } from '@ccc/shared-types';

/** The one mapping from error code to HTTP status; `Record` makes it exhaustive. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
  SOURCE_NOT_ALLOWED: 403,
  SOURCE_BUSY: 503,
  SOURCE_TIMEOUT: 503,
  INDEX_NOT_MANAGED: 409,
  INDEX_BACKS_CONSTRAINT: 409,
  SERVICE_BUSY: 503,
};

/** Errors raised by Nest or Express themselves, by status. */
export const CODE_BY_HTTP_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};
