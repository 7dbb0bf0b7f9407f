import { describe, expect, it } from 'vitest';
import { formatBytes, formatPercent, formatTtl } from './format';

describe('Redis tab formatting', () => {
  it('formats bytes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50.0 MB');
    expect(formatBytes(null)).toBe('—');
  });

  it('formats ratios and TTLs', () => {
    expect(formatPercent(0.9123)).toBe('91.2 %');
    expect(formatPercent(null)).toBe('—');
    expect(formatTtl(-1)).toBe('No expiry');
    expect(formatTtl(45)).toBe('45 s');
    expect(formatTtl(3_660)).toBe('1 h 1 min');
    expect(formatTtl(90_061)).toBe('1 d 1 h');
  });
});
