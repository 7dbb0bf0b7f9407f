import type { FastifyRequest } from 'fastify';

/** The dashboard's catch-all route (configure-app.ts): it answers for any path no other route has. */
export const CATCH_ALL_ROUTE = '/*';

/**
 * The path a request-wide guard matches its prefixes against: the matched route's template (which a differently
 * cased or slashed path resolves to as well), or, for a path only the catch-all or nothing matched, the path itself
 * in lower case (routes match without regard to case, as on Express).
 */
export function pathForMatching(req: FastifyRequest): string {
  const route = req.is404 ? undefined : req.routeOptions.url;
  return route === undefined || route === CATCH_ALL_ROUTE ? req.url.split('?', 1)[0].toLowerCase() : route;
}

/** `prefix` itself or a path below it (`/api/docs/swagger-ui.css`). */
export const isUnder = (path: string, prefix: string): boolean => path === prefix || path.startsWith(`${prefix}/`);
