import { redoclyLint, untypedClientFields } from './support/openapi-lint.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/* Acceptance 1 of issue 12: the API contract, checked with the tools our users run. */
describe('OpenAPI contract', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('passes `redocly lint` with the recommended ruleset: no error, no warning', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body;
    const problems = redoclyLint(doc);
    expect(problems.map((p) => `${p.severity} ${p.ruleId} ${p.pointer}: ${p.message}`)).toEqual([]);
  });

  it('gives a generated client (openapi-typescript) a type for every field: no unknown, no Record<string, never>', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body;
    expect(untypedClientFields(doc)).toEqual([]);
  });
});
