import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BULL_BOARD_INSTANCE, BullBoardModule, type BullBoardInstance } from '@bull-board/nestjs';
import { Inject, Injectable, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerTokenOf, type AuthenticatedRequest } from '../access/auth.decorators.js';
import { AuthService } from '../auth/auth.service.js';
import { ForbiddenReason, isAdmin } from '../access/privileges.js';
import { AppError } from '../common/app-error.js';
import { HttpExceptionFilter } from '../common/http-exception.filter.js';
import { isUnder, pathForMatching } from '../common/request-path.js';
import { JobRepository, NOTIFICATIONS_QUEUE, WARMING_QUEUE } from '../warming/job.repository.js';

/** bull-board's UI and its JSON API (`…/api/queues`, `…/api/queues/:queue/:jobId`), outside the /api prefix. */
export const QUEUE_BOARD_PATH = '/admin/queues';
/**
 * Browsers navigating to the board send no Authorization header: POST /api/admin/queue-board/session (admin) puts the
 * caller's bearer token in this cookie, HttpOnly, SameSite=Strict and sent to the board's path only.
 */
export const QUEUE_BOARD_COOKIE = 'ccc_queue_board';

const DESCRIPTIONS: Record<string, string> = {
  [WARMING_QUEUE]:
    'Warms (warm:<datasource name>, progress 0–100, the summary as return value), scheduled warms and deletions of old generations',
  [NOTIFICATIONS_QUEUE]: 'Alert notifications (webhook, e-mail: one job per channel)',
};

/** bull-board's own NestJS module; its guard is queueBoardGuard, mounted by configureApp before it. */
export function queueBoardModule(): DynamicModule {
  return BullBoardModule.forRoot({
    route: QUEUE_BOARD_PATH,
    adapter: FastifyAdapter,
    boardOptions: { uiConfig: { boardTitle: 'CCC queues' } },
    middleware: (_req: IncomingMessage, _res: ServerResponse, next: () => void) => next(),
  });
}

/**
 * The service's queues on the board, read-only: a warm removed, retried or promoted behind the service's back would
 * leave its lock, job row and shadow generation inconsistent (pause, resume and cancel go through the API).
 */
@Injectable()
export class QueueBoardQueues implements OnModuleInit {
  constructor(
    @Inject(BULL_BOARD_INSTANCE) private readonly board: BullBoardInstance,
    private readonly jobs: JobRepository,
  ) {}

  onModuleInit(): void {
    this.board.setQueues(
      this.jobs
        .boardQueues()
        .map((queue) => new BullMQAdapter(queue, { readOnlyMode: true, description: DESCRIPTIONS[queue.name] ?? '' })),
    );
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * Admins only (401 without a valid credential, 403 for anyone else): a bearer token, an API key (refused: keys are
 * never admins), or the board's session cookie. Only GET and HEAD pass, so the cookie can never carry a change. A
 * request hook of the whole service (configure-app.ts): it runs before bull-board's own routes and error handler.
 */
export function queueBoardGuard(
  auth: AuthService,
): (req: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => void {
  const filter = new HttpExceptionFilter();
  return (req, reply, done) => {
    if (!isUnder(pathForMatching(req), QUEUE_BOARD_PATH)) return done();
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const bearer = bearerTokenOf(header('authorization')) ?? cookieValue(header('cookie'), QUEUE_BOARD_COOKIE);
    auth
      .authenticate({ bearer, apiKey: header('x-api-key') }, () => req.ip ?? null)
      .then((principal) => {
        (req as FastifyRequest & AuthenticatedRequest).principal = principal;
        if (!isAdmin(principal))
          throw AppError.forbidden('The queue board is for admins: sign in as a user with the admin role', {
            reason: ForbiddenReason.adminOnly,
          });
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          throw AppError.forbidden(
            'The queue board is read-only: pause, resume or cancel warms through /api/admin/analytics/cache/warming',
            { reason: 'READ_ONLY' },
          );
        }
        done();
      })
      .catch((error: unknown) => filter.respond(error, req, reply));
  };
}
