import { BadRequestException, NotFoundException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { ERROR_CODES } from '@ccc/shared-types';
import { AppError } from './app-error.js';
import { HTTP_STATUS_BY_CODE } from './error-codes.js';
import { HttpExceptionFilter } from './http-exception.filter.js';

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
    expect(filter.toResponse(new NotFoundException('Cannot GET /x'), 'c')).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(filter.toResponse(new BadRequestException('bad'), 'c')).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(filter.toResponse(new ThrottlerException(), 'c')).toMatchObject({ status: 429, body: { code: 'RATE_LIMITED' } });
    expect(filter.toResponse({ status: 413, type: 'entity.too.large' }, 'c')).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' } });
    const internal = filter.toResponse(new Error('password=hunter2 at db.js:10'), 'c');
    expect(internal).toEqual({ status: 500, body: { code: 'INTERNAL', message: 'Internal server error', correlationId: 'c' } });
  });
});
