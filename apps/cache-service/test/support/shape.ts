/**
 * The keys of a shared-types interface as a runtime list, checked by the compiler in both directions:
 * a key missing from the list, or a key the type does not have, is a type error (the build type-checks tests).
 */
export function keysOf<T>() {
  return <const K extends readonly (keyof T)[]>(
    ...keys: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : { missing: Exclude<keyof T, K[number]> })
  ): string[] => [...(keys as readonly PropertyKey[])].map(String).sort();
}

/** The object has every required key and nothing beyond the type's keys (optional ones may be absent). */
export function expectShape(value: unknown, keys: string[], optional: string[] = []): void {
  expect(value).toEqual(expect.any(Object));
  const actual = Object.keys(value as object).sort();
  expect(actual.filter((key) => !keys.includes(key))).toEqual([]);
  expect(keys.filter((key) => !optional.includes(key) && !actual.includes(key))).toEqual([]);
}
