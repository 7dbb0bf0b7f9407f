import type { CreatedApiKey } from '@ccc/shared-types';
import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { bearer, createTestApp, userWithToken, type TestApp } from './support/test-app.js';

const PUBLIC_ROUTES = new Set(['POST /api/auth/login', 'GET /health/live', 'GET /health/ready', 'GET /metrics']);
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// Every signed-in user may end their own sessions and change their own password (auth.e2e-spec covers both).
const SELF_SERVICE_ROUTES = new Set(['POST /api/auth/logout', 'POST /api/auth/password']);

interface Route {
  method: string;
  path: string;
}

/** Every route Nest registered, read from the controllers' own metadata, so a new route cannot hide. */
function nestRoutes(t: TestApp): Route[] {
  const excludedFromPrefix = new Set(['health/live', 'health/ready', 'metrics']);
  const routes: Route[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '').replace(/^\/|\/$/g, '');
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        const path = typeof handler === 'function' ? Reflect.getMetadata(PATH_METADATA, handler) : undefined;
        if (path === undefined || name === 'constructor') continue;
        const relative = [base, String(path).replace(/^\/|\/$/g, '')].filter(Boolean).join('/');
        const full = excludedFromPrefix.has(relative) ? `/${relative}` : `/api/${relative}`;
        routes.push({ method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number], path: full });
      }
    }
  }
  return routes;
}

/** Concrete URL for a route pattern: ids become a syntactically valid value so that guards, not validation, answer. */
const concrete = (path: string): string => path.replace(/:id\b/g, '1').replace(/:(\w+)/g, 'x');

describe('every route is guarded', () => {
  let t: TestApp;
  let viewerToken: string;
  let analyticsKey: string;
  let routes: Route[];

  beforeAll(async () => {
    t = await createTestApp();
    viewerToken = (await userWithToken(t, 'viewer')).token;
    const admin = await userWithToken(t, 'admin');
    const key = await t.http
      .post('/api/admin/api-keys')
      .set(bearer(admin.token))
      .send({ name: 'analytics-reader', permissions: ['analytics:read'] })
      .expect(201);
    analyticsKey = (key.body as CreatedApiKey).key;
    routes = nestRoutes(t);
  });
  afterAll(() => t.close());

  it('finds the routes Nest serves (the enumeration sees the real surface)', () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /api/auth/login',
        'GET /api/admin/datasources',
        'PATCH /api/admin/datasources/:id',
        'POST /api/admin/monitoring/remediation/rules',
        'POST /api/admin/monitoring/remediation/actions/:id/undo',
      ]),
    );
    expect(routes.length).toBeGreaterThan(15);
  });

  it('answers 401 without a credential on every route but login, health and metrics', async () => {
    const unguarded: string[] = [];
    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      if (PUBLIC_ROUTES.has(name) || route.path.startsWith('/api/docs')) continue;
      const response = await t.http[route.method.toLowerCase() as 'get'](concrete(route.path)).send({});
      if (response.status !== 401) unguarded.push(`${name} → ${response.status}`);
    }
    expect(unguarded).toEqual([]);
  });

  it('answers 403 to a viewer on every write route', async () => {
    const allowed: string[] = [];
    for (const route of routes.filter((r) => WRITE_METHODS.has(r.method))) {
      const name = `${route.method} ${route.path}`;
      if (PUBLIC_ROUTES.has(name) || SELF_SERVICE_ROUTES.has(name)) continue;
      const response = await t.http[route.method.toLowerCase() as 'post'](concrete(route.path))
        .set(bearer(viewerToken))
        .send({});
      if (response.status !== 403) allowed.push(`${name} → ${response.status}`);
    }
    expect(allowed).toEqual([]);
  });

  it('keeps an analytics:read API key out of every admin route', async () => {
    const reachable: string[] = [];
    for (const route of routes.filter((r) => r.path.startsWith('/api/admin'))) {
      const response = await t.http[route.method.toLowerCase() as 'get'](concrete(route.path))
        .set('X-API-Key', analyticsKey)
        .send({});
      if (response.status !== 403) reachable.push(`${route.method} ${route.path} → ${response.status}`);
    }
    expect(reachable).toEqual([]);
  });

  it('documents every protected route with its security schemes in OpenAPI', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body as OpenAPIObject;
    const undocumented: string[] = [];
    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      if (route.path.startsWith('/api/docs')) continue;
      const openApiPath = route.path.replace(/:(\w+)/g, '{$1}');
      const operation = doc.paths[openApiPath]?.[route.method.toLowerCase() as 'get'];
      if (!operation) {
        undocumented.push(`${name}: missing`);
        continue;
      }
      const schemes = (operation.security ?? []).flatMap((s) => Object.keys(s));
      if (!PUBLIC_ROUTES.has(name) && !(schemes.includes('bearer') && schemes.includes('api-key'))) {
        undocumented.push(`${name}: security ${JSON.stringify(schemes)}`);
      }
    }
    expect(undocumented).toEqual([]);
  });
});
