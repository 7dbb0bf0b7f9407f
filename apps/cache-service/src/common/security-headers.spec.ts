import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { helmetMiddleware, securityHeadersMiddleware } from './security-headers.js';

const headersAfter = (middleware: RequestHandler): Record<string, unknown> => {
  const request = new IncomingMessage(new Socket());
  request.method = 'GET';
  request.url = '/api/analytics/datasources/1/query';
  const response = new ServerResponse(request);
  response.setHeader('X-Powered-By', 'Express');
  let passed = false;
  void middleware(request as Request, response as unknown as Response, (() => (passed = true)) as NextFunction);
  expect(passed).toBe(true);
  return response.getHeaders();
};

describe('securityHeadersMiddleware', () => {
  it('sets exactly the headers helmet sets, with the same values', () => {
    const fromHelmet = headersAfter(helmetMiddleware());
    expect(fromHelmet['content-security-policy']).toContain("default-src 'self'");
    expect(headersAfter(securityHeadersMiddleware())).toEqual(fromHelmet);
  });
});
