import { Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Principal } from '@ccc/shared-types';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerTokenOf, CurrentPrincipal, RequirePermissions, UserCredentialOnly } from '../access/auth.decorators.js';
import { ForbiddenReason, isAdmin } from '../access/privileges.js';
import { AppError } from '../common/app-error.js';
import { QUEUE_BOARD_COOKIE, QUEUE_BOARD_PATH } from './queue-board.js';

@ApiTags('operations')
@ApiBearerAuth()
@ApiSecurity('api-key')
// Not under admin/queues: that path is bull-board's, outside the /api prefix.
@Controller('admin/queue-board')
export class QueueBoardController {
  /** Admins (signed-in users with the admin role): the dashboard calls it, then opens the board. */
  @Post('session')
  @HttpCode(204)
  @UserCredentialOnly()
  @RequirePermissions('users:manage:all')
  @ApiOperation({
    summary: 'Open the queue board in this browser',
    description: `Sets an HttpOnly, SameSite=Strict cookie holding the caller's bearer token for ${QUEUE_BOARD_PATH} only, so that the browser can open the read-only bull-board there. Ends with the token.`,
  })
  @ApiNoContentResponse({ description: `Cookie set; open ${QUEUE_BOARD_PATH}` })
  @ApiUnauthorizedResponse({ description: 'No or an invalid bearer token' })
  @ApiForbiddenResponse({ description: 'Not an admin, or an API key' })
  openSession(
    @CurrentPrincipal() principal: Principal,
    @Headers('authorization') authorization: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): void {
    const token = bearerTokenOf(authorization);
    if (!isAdmin(principal) || !token)
      throw AppError.forbidden('The queue board is for admins: sign in as a user with the admin role', {
        reason: ForbiddenReason.adminOnly,
      });
    // As Express's res.cookie wrote it (no cookie plugin for one cookie): HTTPS behind a trusted proxy counts as secure.
    const secure = req.protocol === 'https' ? '; Secure' : '';
    reply.header(
      'set-cookie',
      `${QUEUE_BOARD_COOKIE}=${encodeURIComponent(token)}; Path=${QUEUE_BOARD_PATH}; HttpOnly${secure}; SameSite=Strict`,
    );
  }
}
