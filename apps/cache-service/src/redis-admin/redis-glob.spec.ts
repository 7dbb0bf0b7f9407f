import { globMatches, globProblem, globsOverlap } from './redis-glob.js';

describe('Redis glob patterns', () => {
  it.each([
    ['', 'must not be empty'],
    ['cache:[abc', 'unclosed "["'],
    ['cache:\\', 'lone backslash'],
    ['a\nb', 'control characters'],
    ['x'.repeat(1025), 'at most 1024'],
  ])('rejects %j (%s)', (pattern, message) => {
    expect(globProblem(pattern)).toContain(message);
  });

  it.each(['*', 'cache:{ds:1}:g2:*', 'user:?', 'h[ae]llo', 'h[^e]llo', 'h[a-b]llo', 'esc\\*aped', '[]'])(
    'accepts %j',
    (pattern) => {
      expect(globProblem(pattern)).toBeNull();
    },
  );

  it.each([
    ['*', 'anything', true],
    ['cache:*', 'cache:meta:{ds:1}', true],
    ['cache:{ds:*}:g*', 'cache:{ds:12}:g3:m:x', true],
    ['cache:{ds:*}:g*', 'cache:meta:{ds:12}', false],
    ['h?llo', 'hello', true],
    ['h?llo', 'hllo', false],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-c]llo', 'hbllo', true],
    ['h[c-a]llo', 'hbllo', true],
    ['esc\\*aped', 'esc*aped', true],
    ['esc\\*aped', 'escXaped', false],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
  ])('%j matches %j: %s', (pattern, key, expected) => {
    expect(globMatches(pattern, key)).toBe(expected);
  });

  it.each([
    ['*', 'ccc:*', true],
    ['cache:*', 'cache:meta:*', true],
    ['c*', 'ccc:*', true],
    ['*meta*', 'cache:meta:*', true],
    ['?ccc}*', '{ccc}*', true],
    ['[{]ccc}:warming:*', '{ccc}*', true],
    ['cache:{ds:1}:g2:*', 'cache:meta:*', false],
    ['idx:*', 'ccc:*', false],
    ['cache:[^m]*', 'cache:meta:*', false],
    ['cache:[a-l]*', 'cache:meta:*', false],
    ['cache:[a-m]*', 'cache:meta:*', true],
    ['loc?:*', 'lock:*', true],
    ['lo', 'lock:*', false],
    ['lock:warm:{ds:1}', 'lock:*', true],
    ['*:throttle:*', 'ccc:throttle:*', true],
    ['bull', 'bull:*', false],
    ['[]*', '*', false],
    ['*x*y*', '*y*x*', true],
    ['a*', 'b*', false],
  ])('%j overlaps %j: %s', (a, b, expected) => {
    expect(globsOverlap(a, b)).toBe(expected);
    expect(globsOverlap(b, a)).toBe(expected);
  });

  it('agrees with matching: a pattern overlaps a literal key exactly when it matches it', () => {
    const keys = [
      'ccc:throttle:{user:1}:default:hits',
      '{ccc}:warming:id',
      'cache:meta:{ds:3}',
      'cache:{ds:3}:g1:m:a',
      'lock:warm:{ds:3}',
      'plain',
    ];
    const patterns = ['*', 'c*', 'cache:*', 'cache:{ds:?}:*', '{*', '[{]ccc[}]*', 'l?ck:*', '*:{ds:3}', 'pl[a-z]in'];
    for (const pattern of patterns) {
      for (const key of keys) {
        const escaped = key.replace(/[*?[\\]/g, '\\$&');
        expect([pattern, key, globsOverlap(pattern, escaped)]).toEqual([pattern, key, globMatches(pattern, key)]);
      }
    }
  });
});
