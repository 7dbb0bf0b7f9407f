import { BadRequestException, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { ERROR_CODES } from '@ccc/shared-types';
import { AppError } from './app-error.js';
import { HTTP_STATUS_BY_CODE } from './error-codes.js';
import { HttpExceptionFilter } from './http-exception.filter.js';
import { withRequestValues } from './infrastructure-errors.js';

describe('HttpExceptionFilter', () => {
  const filter = new HttpExceptionFilter();

  it('maps every error code to a status', () => {
    for (const code of ERROR_CODES) {
      const { status, body } = filter.toResponse(new AppError(code, 'x'), 'cid');
      expect(status).toBe(HTTP_STATUS_BY_CODE[code]);
      expect(body).toEqual({ code, message: 'x', correlationId: 'cid' });
    }
  });

  it('keeps field details of validation errors', () => {
    const { status, body } = filter.toResponse(AppError.invalidField('name', 'name must not be empty'), 'cid');
    expect(status).toBe(400);
    expect(body.details).toEqual({ fields: [{ field: 'name', messages: ['name must not be empty'] }] });
  });

  it('translates framework and body-parser errors, and hides unknown errors behind a 500', () => {
    expect(filter.toResponse(new NotFoundException('Cannot GET /x'), 'c')).toMatchObject({
      status: 404,
      body: { code: 'NOT_FOUND' },
    });
    expect(filter.toResponse(new BadRequestException('bad'), 'c')).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
    expect(filter.toResponse(new ThrottlerException(), 'c')).toMatchObject({
      status: 429,
      body: { code: 'RATE_LIMITED' },
    });
    expect(filter.toResponse({ status: 413, type: 'entity.too.large' }, 'c')).toMatchObject({
      status: 413,
      body: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
    });
    const internal = filter.toResponse(new Error('password=hunter2 at db.js:10'), 'c');
    expect(internal).toEqual({
      status: 500,
      body: { code: 'INTERNAL', message: 'Internal server error', correlationId: 'c' },
    });
  });

  it('answers a JSON parse error without echoing the body, with the position when the parser gives one', () => {
    const parseError = Object.assign(
      new SyntaxError(`Unexpected token 's', "{"password": sk_live_x}" is not valid JSON`),
      { status: 400, type: 'entity.parse.failed' },
    );
    const { status, body } = filter.toResponse(new BadRequestException(parseError.message, { cause: parseError }), 'c');
    expect({ status, body }).toEqual({
      status: 400,
      body: { code: 'INVALID_JSON', message: 'Request body is not valid JSON', correlationId: 'c' },
    });
    const positioned = Object.assign(new SyntaxError('Expected double-quoted property name in JSON at position 14'), {
      status: 400,
      type: 'entity.parse.failed',
    });
    expect(
      filter.toResponse(new HttpException(positioned.message, 400, { cause: positioned }), 'c').body,
    ).toMatchObject({ code: 'INVALID_JSON', details: { position: 14 } });
  });

  const pgError = (code: string, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error('db'), { name: 'QueryFailedError', driverError: { code, severity: 'ERROR', ...extra } });

  it.each([
    ['23505', { constraint: 'uq_x' }, 409, 'CONFLICT'],
    ['23503', {}, 409, 'CONFLICT'],
    ['08006', {}, 503, 'SERVICE_UNAVAILABLE'],
    ['57014', {}, 503, 'SERVICE_UNAVAILABLE'],
    ['40P01', {}, 503, 'SERVICE_UNAVAILABLE'],
    ['53300', {}, 503, 'SERVICE_UNAVAILABLE'],
    ['42601', {}, 500, 'INTERNAL'],
    ['42883', {}, 500, 'INTERNAL'],
  ])('maps PostgreSQL %s to %s', (code, extra, status, errorCode) => {
    const response = filter.toResponse(pgError(code, extra), 'c');
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code: errorCode });
  });

  it.each(['22P02', '22008', '22001', '22003', '54000', '23502', '23514'])(
    'answers a value PostgreSQL refuses in our own SQL (%s) with a logged 500, and 400 naming the field only where the request gave the values',
    async (code) => {
      expect(filter.toResponse(pgError(code), 'c')).toMatchObject({ status: 500, body: { code: 'INTERNAL' } });
      const refused = await withRequestValues(
        () => Promise.reject(pgError(code, code === '23502' ? { column: 'warning_threshold' } : {})),
        'name',
      ).catch((error: unknown) => error);
      const response = filter.toResponse(refused, 'c');
      expect({ status: response.status, code: response.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
      expect(response.body.details?.fields?.[0].field).toBe(code === '23502' ? 'warningThreshold' : 'name');
    },
  );

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'])(
    'maps a lost connection (%s) to 503 with Retry-After',
    (code) => {
      const response = filter.toResponse(Object.assign(new Error(`connect ${code}`), { code }), 'c');
      expect(response).toMatchObject({
        status: 503,
        body: { code: 'SERVICE_UNAVAILABLE', details: { retryAfterSeconds: 5 } },
      });
    },
  );

  describe('logging', () => {
    const respond = (target: HttpExceptionFilter, exception: unknown): void => {
      const reply = {
        sent: false,
        raw: { headersSent: false },
        hasHeader: jest.fn().mockReturnValue(true),
        header: jest.fn().mockReturnThis(),
        status: jest.fn().mockReturnThis(),
        send: jest.fn(),
      };
      target.respond(exception, { method: 'GET', url: '/api/x', headers: {} } as never, reply as never);
    };
    let logged: jest.SpyInstance;
    beforeEach(() => {
      logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    });
    afterEach(() => logged.mockRestore());

    it('logs outages (503 SERVICE_UNAVAILABLE) once per interval, never the load it sheds (SOURCE_BUSY, SOURCE_TIMEOUT, RATE_LIMITED)', () => {
      const target = new HttpExceptionFilter();
      respond(target, AppError.retryLater('SOURCE_BUSY', 'busy', 1));
      respond(target, AppError.retryLater('SOURCE_TIMEOUT', 'slow', 5));
      respond(target, AppError.rateLimited('limited', 1));
      expect(logged).not.toHaveBeenCalled();
      for (let i = 0; i < 3; i++)
        respond(target, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      expect(logged).toHaveBeenCalledTimes(1);
      expect(logged.mock.calls[0][0]).toMatchObject({
        msg: 'request failed: a backing service is unavailable',
        path: '/api/x',
      });
      respond(target, new Error('a bug'));
      respond(target, pgError('22P02'));
      expect(logged).toHaveBeenCalledTimes(3);
    });
  });

  it('maps Redis replies caused by a value to 400, Redis outages and lost connections to 503, and keeps the rest 500', () => {
    const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });
    expect(filter.toResponse(reply("ERR invalid expire time in 'expire' command"), 'c')).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED' },
    });
    expect(filter.toResponse(reply('ERR value is not an integer or out of range'), 'c')).toMatchObject({ status: 400 });
    expect(
      filter.toResponse(reply('WRONGTYPE Operation against a key holding the wrong kind of value'), 'c'),
    ).toMatchObject({ status: 409 });
    expect(filter.toResponse(reply('LOADING Redis is loading the dataset in memory'), 'c')).toMatchObject({
      status: 503,
      body: { details: { retryAfterSeconds: 5 } },
    });
    expect(filter.toResponse(new Error('timeout exceeded when trying to connect'), 'c')).toMatchObject({ status: 503 });
    expect(
      filter.toResponse(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'c'),
    ).toMatchObject({ status: 503 });
    expect(filter.toResponse(reply('ERR unknown command'), 'c')).toMatchObject({
      status: 500,
      body: { code: 'INTERNAL' },
    });
  });
});
