/** Every error the API answers with has one of these codes; the service maps each to one HTTP status. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
  // Sources and the database's protection from its readers (README "Source isolation and database protection").
  'SOURCE_NOT_ALLOWED',
  'SOURCE_BUSY',
  'SOURCE_TIMEOUT',
  'INDEX_NOT_MANAGED',
  'INDEX_BACKS_CONSTRAINT',
  // Load shed in the service process (too many password checks waiting): 503 with Retry-After.
  'SERVICE_BUSY',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldError {
  field: string;
  messages: string[];
}

export interface ErrorResponse {
  code: ErrorCode;
  message: string;
  details?: { fields?: FieldError[]; [key: string]: unknown };
  correlationId: string;
}
