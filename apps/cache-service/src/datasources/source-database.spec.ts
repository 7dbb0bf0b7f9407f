import { AppError } from '../common/app-error.js';
import { HttpExceptionFilter } from '../common/http-exception.filter.js';
import { mapSourceReadError } from './source-database.js';

const pgError = (code: string, message = 'db') => Object.assign(new Error(message), { code, severity: 'ERROR' });
const answer = (error: unknown) => {
  const { status, body } = new HttpExceptionFilter().toResponse(mapSourceReadError(error, 5_000), 'c');
  return {
    status,
    code: body.code,
    retryAfter: (body.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds,
  };
};

describe('what a failed cold fallback answers (the common mapping plus the reader context)', () => {
  it('sheds load: a statement timeout is 503 SOURCE_TIMEOUT after the timeout, a full pool 503 SOURCE_BUSY', () => {
    expect(answer(pgError('57014'))).toEqual({ status: 503, code: 'SOURCE_TIMEOUT', retryAfter: 5 });
    expect(answer(new Error('Query read timeout'))).toEqual({ status: 503, code: 'SOURCE_TIMEOUT', retryAfter: 5 });
    expect(answer(new Error('timeout exceeded when trying to connect'))).toEqual({
      status: 503,
      code: 'SOURCE_BUSY',
      retryAfter: 1,
    });
    expect(answer(pgError('53300'))).toEqual({ status: 503, code: 'SOURCE_BUSY', retryAfter: 1 });
  });

  it('answers an unreachable source as the outage it is, like every other connection (503 SERVICE_UNAVAILABLE)', () => {
    for (const code of ['EAI_AGAIN', 'EHOSTUNREACH', 'ECONNREFUSED']) {
      expect(answer(Object.assign(new Error(`connect ${code}`), { code }))).toEqual({
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        retryAfter: 5,
      });
    }
    expect(answer(pgError('08006'))).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE', retryAfter: 5 });
  });

  it('answers a datasource that no longer fits its table with 409 CONFLICT, a filter value PostgreSQL refuses with 400', () => {
    for (const code of ['42883', '42804', '42P01', '42703'])
      expect(answer(pgError(code))).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(answer(pgError('42501'))).toMatchObject({ status: 403, code: 'SOURCE_NOT_ALLOWED' });
    expect(answer(pgError('22021'))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(answer(AppError.notFound('Datasource', 1))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(answer(pgError('42601'))).toMatchObject({ status: 500, code: 'INTERNAL' });
  });
});
