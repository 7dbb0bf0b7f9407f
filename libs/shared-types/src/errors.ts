/** Every error the API answers with has one of these codes; the service maps each to one HTTP status. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
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
