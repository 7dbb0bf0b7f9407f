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
