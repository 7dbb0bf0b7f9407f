import 'reflect-metadata';
import { Controller, Delete, Get, Head, Post, UseGuards, type CanActivate } from '@nestjs/common';
import { GUARDS_METADATA, INTERCEPTORS_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuditInterceptor } from './audit/audit.interceptor.js';
import { InputProblemGuard, InputProblemInterceptor } from './common/input-guard.js';
import { fitRouteEnhancers } from './route-enhancers.js';

class OwnGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Controller('things')
class ThingsController {
  @Get()
  list(): string[] {
    return [];
  }

  @Head(':id')
  @UseGuards(OwnGuard)
  exists(): void {}

  @Post()
  create(): void {}

  @Delete(':id')
  remove(): void {}
}

/** Just what fitRouteEnhancers reads of an application: its controllers, its Fastify instance, its AuditInterceptor. */
function fakeApp(): { app: NestFastifyApplication; decorated: Map<string, unknown> } {
  const decorated = new Map<string, unknown>();
  const modules = new Map([['m', { controllers: new Map([['c', { metatype: ThingsController }]]) }]]);
  const audit = { intercept: jest.fn() };
  const app = {
    getHttpAdapter: () => ({
      getInstance: () => ({ decorate: (name: string, value: unknown) => decorated.set(name, value) }),
    }),
    get: (token: unknown) => (token === ModulesContainer ? modules : token === AuditInterceptor ? audit : undefined),
  } as unknown as NestFastifyApplication;
  return { app, decorated };
}

const guardsOf = (name: keyof ThingsController): unknown[] =>
  (Reflect.getMetadata(GUARDS_METADATA, ThingsController.prototype[name]) ?? []) as unknown[];
const interceptorsOf = (target: object): unknown[] =>
  (Reflect.getMetadata(INTERCEPTORS_METADATA, target) ?? []) as unknown[];

describe('fitRouteEnhancers', () => {
  beforeAll(() => {
    fitRouteEnhancers(fakeApp().app);
    fitRouteEnhancers(fakeApp().app); // a second application of the process (the tests start many): no duplicates
  });

  it('keeps GET and HEAD out of the interceptor chain and checks their query string as their last guard', () => {
    for (const name of ['list', 'exists'] as const) {
      expect(interceptorsOf(ThingsController.prototype[name])).toEqual([]);
      expect(guardsOf(name).at(-1)).toBeInstanceOf(InputProblemGuard);
      expect(guardsOf(name).filter((guard) => guard instanceof InputProblemGuard)).toHaveLength(1);
    }
    expect(guardsOf('exists')[0]).toBe(OwnGuard);
  });

  it('puts every other method through the audit, then the input check', () => {
    for (const name of ['create', 'remove'] as const) {
      const interceptors = interceptorsOf(ThingsController.prototype[name]);
      expect(interceptors).toHaveLength(2);
      expect(interceptors[1]).toBeInstanceOf(InputProblemInterceptor);
      expect(guardsOf(name)).toEqual([]);
    }
  });

  it('leaves the controller class alone: its path is no route', () => {
    expect(interceptorsOf(ThingsController)).toEqual([]);
  });

  it('reaches each application its own audit interceptor through the request', () => {
    const { app, decorated } = fakeApp();
    fitRouteEnhancers(app);
    expect(decorated.get('cccAuditInterceptor')).toBe(app.get(AuditInterceptor));
  });
});
