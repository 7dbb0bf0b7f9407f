import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, type OpenAPIObject } from '@nestjs/swagger';
import { ERROR_CODES, type ErrorCode } from '@ccc/shared-types';

/** One field's validation messages, as `details.fields` lists them. */
export class FieldErrorDto {
  @ApiProperty({ example: 'name' })
  field!: string;

  @ApiProperty({ type: [String], example: ['name must be shorter than or equal to 100 characters'] })
  messages!: string[];
}

/** The details a few codes carry; any other code's details are described by its message. */
export class ErrorDetailsDto {
  @ApiPropertyOptional({
    type: [FieldErrorDto],
    description: 'VALIDATION_FAILED: every refused field with its messages',
  })
  fields?: FieldErrorDto[];

  @ApiPropertyOptional({
    description: '429 and 503: seconds to wait, also sent as the Retry-After header',
    example: 30,
  })
  retryAfterSeconds?: number;

  @ApiPropertyOptional({ description: 'FORBIDDEN: why the credential may not do this', example: 'api_key_not_allowed' })
  reason?: string;

  @ApiPropertyOptional({ description: 'NOT_FOUND: the kind of resource', example: 'Datasource' })
  resource?: string;
}

/** The one error body of the service (HttpExceptionFilter writes every error this way). */
export class ErrorResponseDto {
  @ApiProperty({
    enum: ERROR_CODES,
    enumName: 'ErrorCode',
    description: 'Stable, machine-readable; the HTTP status follows from it',
  })
  code!: ErrorCode;

  @ApiProperty({ description: 'For people; never echoes secrets or stack traces', example: 'Datasource 17 not found' })
  message!: string;

  @ApiPropertyOptional({
    type: ErrorDetailsDto,
    description:
      'Structured context of the error. Further keys may appear by code (e.g. `id`, `maxValues`, `contentType`).',
  })
  details?: ErrorDetailsDto;

  @ApiProperty({
    description: 'Also in the X-Correlation-Id response header; quote it when reporting a problem',
    example: '3f0c9c1e-6a7d-4b7a-9b62-0f8a2f0c1d2e',
  })
  correlationId!: string;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;

/** What each status means across the service; a route passes its own text where it means something more specific. */
const GENERIC: Record<ErrorStatus, string> = {
  400: 'VALIDATION_FAILED or INVALID_JSON: a parameter, the query or the body is refused (`details.fields` says which)',
  401: 'UNAUTHENTICATED: no credential, or an expired, revoked or unknown one',
  403: 'FORBIDDEN: the credential lacks a permission this operation needs',
  404: 'NOT_FOUND: no such resource',
  409: 'CONFLICT: the resource is not in a state that allows this',
  413: 'PAYLOAD_TOO_LARGE: the body is over 1 MB or holds more than 10,000 values',
  415: 'UNSUPPORTED_MEDIA_TYPE: a body that is not JSON in UTF-8',
  429: 'RATE_LIMITED: too many requests from this credential or client; see Retry-After',
  503: 'SERVICE_UNAVAILABLE or SERVICE_BUSY: Redis or PostgreSQL is unreachable or saturated; see Retry-After',
};

type ErrorSpec = ErrorStatus | [ErrorStatus, string];

/**
 * The error responses of an operation (or of every operation of a controller), each with the shared error body.
 * `ApiErrorResponses(404, [409, 'CONFLICT: the name is taken'])`. Errors every operation can give (see
 * documentGlobalBehaviour) need not be listed.
 */
export function ApiErrorResponses(...specs: ErrorSpec[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...specs.map((spec) => {
      const [status, description] = Array.isArray(spec) ? spec : [spec, GENERIC[spec]];
      return ApiResponse({ status, description, type: ErrorResponseDto });
    }),
  );
}

const ERROR_SCHEMA = { $ref: '#/components/schemas/ErrorResponseDto' };
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * The errors that global middleware, pipes and guards give, documented where they are set up rather than on
 * each route: any request may be refused as 400 (the input guard refuses a body sent to an operation that takes
 * none, and NUL or unpaired surrogates in the query); an operation with a body also as 413 and 415 (the JSON-only
 * middleware and the body parser); an operation that needs a credential also as 401 and 403 (AuthGuard), 429
 * (the per-principal throttler) and 503 (credentials are checked against Redis and PostgreSQL). An error
 * response without a body schema gets the shared one. Public operations get `security: []`.
 */
export function documentGlobalBehaviour(document: OpenAPIObject): OpenAPIObject {
  // Codes add keys of their own to `details` (`id`, `maxValues`, `protectedPatterns` …): any JSON beside the named ones.
  const details = document.components?.schemas?.[ErrorDetailsDto.name];
  if (details && !('$ref' in details)) details.additionalProperties = { $ref: '#/components/schemas/JsonValue' };
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      // A route without security requirements is a @Public one (test/route-guard.e2e-spec.ts checks that every other
      // route declares both schemes): OpenAPI says "no credential" with an empty list, not with its absence.
      operation.security ??= [];
      const statuses: ErrorStatus[] = [400];
      if (operation.requestBody) statuses.push(413, 415);
      if ((operation.security ?? []).length > 0) statuses.push(401, 403, 429, 503);
      for (const status of statuses) operation.responses[status] ??= { description: GENERIC[status] };
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400 || !response || '$ref' in response) continue;
        response.content ??= { 'application/json': { schema: ERROR_SCHEMA } };
      }
      operation.responses = Object.fromEntries(
        Object.entries(operation.responses).sort(([a], [b]) => a.localeCompare(b)),
      );
    }
  }
  return document;
}
