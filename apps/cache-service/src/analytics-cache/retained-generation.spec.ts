import { retainedOf, toPreviousGeneration } from './retained-generation.js';

describe('the retained previous generation in the meta hash', () => {
  const meta = {
    'gen:v2': '8',
    entries: '500',
    'prev:gen:v2': '7',
    'prev:retiredAt': '2026-12-05T03:00:00.000Z',
    'prev:expiresAtMs': String(Date.parse('2026-12-05T04:00:00.000Z')),
    'prev:entries': '480',
    'prev:rows': '31680',
    'prev:indexes': '65',
    'prev:bytes': String(3 * 1024 * 1024),
    'prev:lastWarmed': '2026-12-05T02:59:00.000Z',
    'prev:jobId': 'job-7',
    'prev:dropped': '[{"measure":"Charges"}]',
  };

  it('keeps its stored figures apart from its own fields, so that a rollback writes back exactly what was live', () => {
    const retained = retainedOf(meta)!;
    expect(retained).toMatchObject({ generation: 7, entries: 480, rows: 31_680, indexes: 65, jobId: 'job-7' });
    expect(retained.fields).toEqual({
      entries: '480',
      rows: '31680',
      indexes: '65',
      bytes: String(3 * 1024 * 1024),
      lastWarmed: '2026-12-05T02:59:00.000Z',
      jobId: 'job-7',
      dropped: '[{"measure":"Charges"}]',
    });
  });

  it('shows the API its figures and expiry as times', () => {
    expect(toPreviousGeneration(retainedOf(meta))).toEqual({
      generation: 7,
      entries: 480,
      rows: 31_680,
      indexCount: 65,
      estimatedMemoryMB: 3,
      lastWarmed: '2026-12-05T02:59:00.000Z',
      retiredAt: '2026-12-05T03:00:00.000Z',
      expiresAt: '2026-12-05T04:00:00.000Z',
      jobId: 'job-7',
    });
  });

  it('is none when no generation is retained', () => {
    expect(retainedOf({ 'gen:v2': '8', entries: '500' })).toBeNull();
    expect(toPreviousGeneration(null)).toBeNull();
  });
});
