/**
 * Dependency rules of the service (npm test's `checks` stage runs them over src/). Each folder is one part of
 * docs/architecture.md's map; parts may depend on the parts below them only, so no two folders may need each
 * other, directly or round a loop. Where a lower part must make an upper part act, it takes a callback.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment: 'Two folders that depend on each other (directly or through others) are one tangle, not two parts.',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'entities-import-entities-only',
      severity: 'error',
      comment: 'The migration CLI loads database/entities.ts: it must not pull in services or controllers.',
      from: { path: '^src/database/entities\\.ts$' },
      to: { pathNot: ['\\.entity\\.ts$', '^src/common/column-transformers\\.ts$', '^node_modules', '^typeorm'] },
    },
    {
      name: 'worker-loads-no-http-api',
      severity: 'error',
      comment:
        'Role worker (worker.module.ts, configure-worker.ts) serves health and metrics only: what it reaches it loads ' +
        'and carries for its whole life, so no controller of the API, DTO, OpenAPI description, @nestjs/swagger, ' +
        'class-validator or bull-board (docs/scaling.md, what each role needs). Routes go to api-routes.module.ts.',
      from: { path: '^src/(worker\\.module|configure-worker)\\.ts$' },
      to: {
        reachable: true,
        // HealthController is served by every role; its OpenAPI description is health.openapi.ts.
        pathNot: '^src/health/health\\.controller\\.ts$',
        path: [
          '\\.controller\\.ts$',
          '\\.dto\\.ts$',
          '\\.openapi\\.ts$',
          '@nestjs/swagger',
          '@bull-board/',
          '@nestjs/schedule',
          'class-validator',
        ],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
