import type { FastifyRequest } from 'fastify';

/**
 * A request's route for logs and metrics: the matched template (`/api/users/:id`), never the raw path. Wildcard
 * routes serve files (the dashboard and its fallback, Swagger UI's and the queue board's assets; no operation has
 * one): labelled like an unmatched path, as they were when Express served those files outside its router.
 */
export function routeLabelOf(req: FastifyRequest): string {
  const url = req.is404 ? undefined : req.routeOptions.url;
  return url === undefined || url.endsWith('*') ? 'unmatched' : url;
}
