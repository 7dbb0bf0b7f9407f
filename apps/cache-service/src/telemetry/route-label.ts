import type { FastifyRequest } from 'fastify';

/**
 * Routes that serve files rather than an operation (the dashboard's fallback: configure-app.ts): labelled like an
 * unmatched path in logs and metrics, as they were when Express served those files before its router.
 */
const UNLABELLED_ROUTES = new Set<string>(['/*']);

/** A request's route for logs and metrics: the matched template (`/api/users/:id`), never the raw path. */
export function routeLabelOf(req: FastifyRequest): string {
  const url = req.is404 ? undefined : req.routeOptions.url;
  return url === undefined || UNLABELLED_ROUTES.has(url) ? 'unmatched' : url;
}
