import {
  RequestMethod,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { GUARDS_METADATA, INTERCEPTORS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { AuditInterceptor } from './audit/audit.interceptor.js';
import { InputProblemGuard, InputProblemInterceptor } from './common/input-guard.js';

/** The Fastify instance's decoration that holds its application's AuditInterceptor. */
const AUDIT = 'cccAuditInterceptor';

/**
 * The application's AuditInterceptor, found through the request: the route metadata below is shared by every
 * application of the process (the tests start many), so it holds this forwarder, never one application's instance.
 */
const auditForwarder: NestInterceptor = {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const server = context.switchToHttp().getRequest<FastifyRequest>().server as unknown as Record<string, unknown>;
    return (server[AUDIT] as AuditInterceptor).intercept(context, next);
  },
};
const inputProblems = new InputProblemInterceptor();
const inputProblemGuard = new InputProblemGuard();

/** Whether a handler's metadata has been extended already (by an earlier application of this process). */
const FITTED = Symbol('routeEnhancersFitted');

/** Methods whose requests change nothing and carry no body that Fastify parses. */
const READS = new Set<RequestMethod>([RequestMethod.GET, RequestMethod.HEAD]);

/**
 * The audit and input-problem checks, attached to each route by its HTTP method, once at boot (before the routes are
 * built). As global interceptors they put every route, GETs included, through Nest's rxjs interceptor chain — about a
 * tenth of a query's CPU — where on a GET neither does anything but pass the request on: the audit records
 * state-changing requests only, and Fastify parses no body of a GET or HEAD. Now:
 * - every other method (POST, PUT, PATCH, DELETE, ALL…) gets both interceptors, in the order they had as global ones
 *   (the audit outside, so that refused input is audited like any refused change), before any of its own;
 * - GET and HEAD get the input check of the query string as their last guard: a problem is answered at the same point
 *   as before, after authentication, permissions and the rate limits, with the same 400.
 * Every controller of every module is fitted, test controllers included: a new route needs nothing to be covered.
 */
export function fitRouteEnhancers(app: NestFastifyApplication): void {
  app.getHttpAdapter().getInstance().decorate(AUDIT, app.get(AuditInterceptor));
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const prototype = (wrapper.metatype as { prototype?: Record<string, unknown> } | null)?.prototype;
      if (!prototype) continue;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        if (name === 'constructor') continue; // the class: its path is the controller's, not a route's
        const handler = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
        if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        fitHandler(handler as (...args: unknown[]) => unknown);
      }
    }
  }
}

function fitHandler(handler: ((...args: unknown[]) => unknown) & { [FITTED]?: true }): void {
  if (handler[FITTED]) return;
  handler[FITTED] = true;
  const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  if (method !== undefined && READS.has(method)) {
    const guards = (Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as CanActivate[];
    Reflect.defineMetadata(GUARDS_METADATA, [...guards, inputProblemGuard], handler);
  } else {
    const interceptors = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) ?? []) as NestInterceptor[];
    Reflect.defineMetadata(INTERCEPTORS_METADATA, [auditForwarder, inputProblems, ...interceptors], handler);
  }
}
