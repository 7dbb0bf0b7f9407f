import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import type { Principal } from '@ccc/shared-types';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Audited } from '../audit/audited.decorator.js';
import { correlationIdOf } from '../common/correlation-id.js';
import { CurrentPrincipal, Public } from '../access/auth.decorators.js';
import { ChangePasswordDto, LoginDto, LoginResponseDto, PrincipalDto } from './auth.dto.js';
import { AuthService, type RequestContext } from './auth.service.js';
import { ApiErrorResponses } from '../common/api-errors.js';

/** The client's address and correlation id, and a signal that fires when the client goes away before its answer. */
function requestContext(request: FastifyRequest, reply: FastifyReply): RequestContext {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  return { ip: request.ip ?? null, correlationId: correlationIdOf(request), signal: gone.signal };
}

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @Throttle({ login: {} })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiOperation({
    summary: 'Sign in',
    description:
      'Exchanges an email and password for a bearer token (JWT). Failed attempts back off per account and per client address.',
  })
  @ApiErrorResponses(
    [401, 'UNAUTHENTICATED: invalid email or password'],
    [429, 'RATE_LIMITED: too many failed sign-ins for this account or from this client; see Retry-After'],
    [503, 'SERVICE_BUSY: too many password checks waiting; see Retry-After'],
  )
  login(
    @Body() body: LoginDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<LoginResponseDto> {
    return this.auth.login(body, requestContext(request, response));
  }

  @Post('logout')
  @HttpCode(204)
  @Audited('auth.logout', 'user')
  @ApiBearerAuth()
  @ApiSecurity('api-key')
  @ApiNoContentResponse({ description: 'Every token issued to the signed-in user so far stops working (all sessions)' })
  @ApiOperation({
    summary: 'Sign out everywhere',
    description: 'Ends every session of the signed-in user: every token issued to them so far stops working.',
  })
  @ApiErrorResponses([403, 'FORBIDDEN: not a token issued by this service (an API key or an identity provider token)'])
  logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    return this.auth.logout(principal);
  }

  @Post('password')
  @HttpCode(200)
  @Audited('auth.password_change', 'user')
  @ApiBearerAuth()
  @ApiSecurity('api-key')
  @ApiOkResponse({
    type: LoginResponseDto,
    description: 'A fresh token: every earlier token of the account stops working',
  })
  @ApiOperation({
    summary: 'Change own password',
    description:
      'Checks the current password, sets the new one and returns a fresh token; every earlier token of the account stops working.',
  })
  @ApiErrorResponses(
    [403, 'FORBIDDEN: not a token issued by this service (an API key or an identity provider token)'],
    [429, 'RATE_LIMITED: too many wrong current passwords; the account backs off as after failed sign-ins'],
    [503, 'SERVICE_BUSY: too many password checks waiting; see Retry-After'],
  )
  changePassword(
    @Body() body: ChangePasswordDto,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<LoginResponseDto> {
    return this.auth.changePassword(principal, body, requestContext(request, response));
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiSecurity('api-key')
  @ApiOkResponse({ type: PrincipalDto })
  @ApiOperation({
    summary: 'Who am I',
    description:
      'The principal behind the credential of the request: a user or an API key, with its role and permissions.',
  })
  me(@CurrentPrincipal() principal: Principal): PrincipalDto {
    return principal;
  }
}
