import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import helmet from 'helmet';

type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** helmet's defaults, with a policy the dashboard can live with (it is served over plain HTTP on a LAN too). */
export const helmetMiddleware = (): NodeMiddleware =>
  helmet({
    contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } },
    crossOriginEmbedderPolicy: false,
  }) as unknown as NodeMiddleware;

/**
 * The headers `middleware` sets on a response, recorded once against a stand-in response. Only for a middleware whose
 * headers depend on nothing in the request: helmet's, with no directive computed per request (no nonce). What it
 * removes (X-Powered-By) Fastify never sends.
 */
function recordHeaders(middleware: NodeMiddleware): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: () => undefined,
    getHeader: () => undefined,
  };
  let passed = false;
  middleware(
    { method: 'GET', url: '/', headers: {} } as IncomingMessage,
    response as unknown as ServerResponse,
    (error) => {
      if (error) throw error instanceof Error ? error : new Error(String(error));
      passed = true;
    },
  );
  if (!passed) throw new Error('the security headers middleware did not finish synchronously');
  return headers;
}

/**
 * The security headers on every response, helmet's, computed once at start-up: helmet's dozen middlewares, one
 * per header, would otherwise recompute the same fixed values on every request of the query API.
 */
export function securityHeaders(): (reply: FastifyReply) => void {
  const headers = recordHeaders(helmetMiddleware());
  return (reply) => {
    reply.headers(headers);
  };
}
