import { loadRegionsConfig } from './region-config.js';

describe('REDIS_REGIONS, SERVICE_REGION and SERVICE_REGION_FALLBACK', () => {
  const load = (env: Record<string, string>) => {
    const problems: string[] = [];
    return { config: loadRegionsConfig(env, problems), problems };
  };

  it('is the primary alone by default', () => {
    expect(load({})).toEqual({
      config: { names: ['primary'], extra: [], serviceRegion: 'primary', fallback: [] },
      problems: [],
    });
  });

  it('reads named regions, the service region and its fallbacks', () => {
    const { config, problems } = load({
      REDIS_REGIONS: 'eu=redis://eu:6379, us=rediss://us:6380',
      SERVICE_REGION: 'eu',
      SERVICE_REGION_FALLBACK: 'us,primary,eu',
    });
    expect(problems).toEqual([]);
    expect(config.names).toEqual(['primary', 'eu', 'us']);
    expect(config.extra).toEqual([
      { name: 'eu', url: 'redis://eu:6379' },
      { name: 'us', url: 'rediss://us:6380' },
    ]);
    expect(config.serviceRegion).toBe('eu');
    expect(config.fallback).toEqual(['us', 'primary']);
  });

  it('names every mistake', () => {
    const { problems } = load({
      REDIS_REGIONS: 'EU=redis://eu,primary=redis://x,us=http://us,us=redis://again,nourl',
      SERVICE_REGION: 'mars',
      SERVICE_REGION_FALLBACK: 'venus',
    });
    expect(problems).toEqual([
      expect.stringContaining('bad entry "EU=redis://eu"'),
      expect.stringContaining('never "primary"'),
      expect.stringContaining('region "us" must use redis: or rediss:'),
      expect.stringContaining('(got "us")'),
      expect.stringContaining('bad entry "nourl"'),
      expect.stringContaining('SERVICE_REGION must name a configured region'),
      expect.stringContaining('SERVICE_REGION_FALLBACK must name a configured region'),
    ]);
  });
});
