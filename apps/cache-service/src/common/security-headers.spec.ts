import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyReply } from 'fastify';
import { helmetMiddleware, securityHeaders } from './security-headers.js';

const newResponse = (): ServerResponse => {
  const request = new IncomingMessage(new Socket());
  request.method = 'GET';
  request.url = '/api/analytics/datasources/1/query';
  return new ServerResponse(request);
};

describe('securityHeaders', () => {
  it('sets exactly the headers helmet sets, with the same values', () => {
    const response = newResponse();
    let passed = false;
    helmetMiddleware()(response.req, response, () => (passed = true));
    expect(passed).toBe(true);
    const fromHelmet = response.getHeaders();
    expect(fromHelmet['content-security-policy']).toContain("default-src 'self'");

    const set: Record<string, unknown> = {};
    securityHeaders()({
      headers: (headers: Record<string, string>) => Object.assign(set, headers),
    } as unknown as FastifyReply);
    expect(set).toEqual(fromHelmet);
  });
});
