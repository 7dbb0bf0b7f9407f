import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/** helmet's defaults, with a policy the dashboard can live with (it is served over plain HTTP on a LAN too). */
export const helmetMiddleware = (): RequestHandler =>
  helmet({
    contentSecurityPolicy: { directives: { 'upgrade-insecure-requests': null } },
    crossOriginEmbedderPolicy: false,
  }) as RequestHandler;

interface HeaderChanges {
  set: Array<[name: string, value: string | number | readonly string[]]>;
  removed: string[];
}

/**
 * What `middleware` does to a response, recorded once against a stand-in response. Only for a middleware whose
 * headers depend on nothing in the request: helmet's, with no directive computed per request (no nonce).
 */
function recordHeaders(middleware: RequestHandler): HeaderChanges {
  const changes: HeaderChanges = { set: [], removed: [] };
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => changes.set.push([name, value]),
    removeHeader: (name: string) => changes.removed.push(name),
    getHeader: () => undefined,
  };
  let passed = false;
  void middleware(
    { method: 'GET', url: '/', headers: {} } as Request,
    response as unknown as Response,
    ((error?: unknown) => {
      if (error) throw error instanceof Error ? error : new Error(String(error));
      passed = true;
    }) as NextFunction,
  );
  if (!passed) throw new Error('the security headers middleware did not finish synchronously');
  return changes;
}

/**
 * The security headers on every response, helmet's, computed once at start-up: helmet's dozen middlewares, one
 * per header, would otherwise recompute the same fixed values on every request of the query API.
 */
export function securityHeadersMiddleware(): RequestHandler {
  const { set, removed } = recordHeaders(helmetMiddleware());
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    next();
  };
}
