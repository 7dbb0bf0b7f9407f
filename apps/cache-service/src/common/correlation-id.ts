import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const CORRELATION_HEADER = 'x-correlation-id';
const VALID_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** The request field that holds the id (declared on the Fastify instance by configure-http.ts, for a stable shape). */
export const CORRELATION_ID_FIELD = 'correlationId';

type WithCorrelationId = FastifyRequest & { [CORRELATION_ID_FIELD]?: string };

/** Reuses a caller's correlation id when it is sane, else makes one; echoed on every response. */
export function assignCorrelationId(req: FastifyRequest, reply: FastifyReply): string {
  const incoming = req.headers[CORRELATION_HEADER];
  const id = typeof incoming === 'string' && VALID_ID.test(incoming) ? incoming : randomUUID();
  (req as WithCorrelationId)[CORRELATION_ID_FIELD] = id;
  reply.header(CORRELATION_HEADER, id);
  return id;
}

export function correlationIdOf(req: FastifyRequest): string {
  return (req as WithCorrelationId)[CORRELATION_ID_FIELD] || randomUUID();
}
