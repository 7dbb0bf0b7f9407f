// How the cache-engine bench writes the same entries in several Redis layouts, to show what each step of issue 14's
// memory work saved (Redis used_memory per cached row, one line per layout). A layout turns an entry (its id in
// warming order, coordinates, rows' JSON) into { name: entry key suffix, value, member: what its index sets hold,
// sets: their suffixes }; `beforeBatch` adds per-batch bookkeeping, `finish` per-generation bookkeeping.
// Names come from the service's own CacheKeys and encodeStoredEntry.

/** The service's layout (2): what CacheRepository.writeBatch and writeDirectory write. */
export function serviceLayout(keys, codec) {
  const pairs = new Map();
  return {
    entry(id, coordinates, rows) {
      if (!pairs.has(coordinates.measure)) pairs.set(coordinates.measure, new Set());
      pairs.get(coordinates.measure).add(coordinates.frequency);
      return {
        name: String(id),
        value: codec.encodeStoredEntry(coordinates, rows),
        member: id,
        sets: keys.indexSuffixesOf(coordinates),
      };
    },
    beforeBatch(pipeline, indexPrefix, written, setNames) {
      pipeline.hset(indexPrefix + keys.indexSuffixes.ranges(), String(written[0].member), String(written.length));
      pipeline.sadd(indexPrefix + keys.indexSuffixes.registry(), setNames);
    },
    async finish(redis, indexPrefix, names) {
      const fields = [];
      const byFrequency = new Map();
      for (const [measure, frequencies] of pairs) {
        const sets = [...frequencies].map((frequency) => keys.indexSuffixes.measureFrequency(measure, frequency));
        fields.push(keys.directoryFields.measure(measure), JSON.stringify(sets));
        sets.forEach((set, i) => {
          const frequency = [...frequencies][i];
          byFrequency.set(frequency, [...(byFrequency.get(frequency) ?? []), set]);
        });
      }
      for (const [frequency, sets] of byFrequency)
        fields.push(keys.directoryFields.frequency(frequency), JSON.stringify(sets));
      if (fields.length > 0) await redis.hset(indexPrefix + keys.indexSuffixes.directory(), fields);
      if (names) {
        names.sets.add(indexPrefix + keys.indexSuffixes.registry());
        names.hashes.push(indexPrefix + keys.indexSuffixes.ranges(), indexPrefix + keys.indexSuffixes.directory());
      }
    },
  };
}

/** The layouts of the memory table, before → after, each written to an empty generation of its own. */
export function memoryLayouts(keys, codec) {
  return [
    {
      name: 'layout 1 (before): entries named by coordinates, 5 index sets of those names (master, m, m+freq, p, prov)',
      short: 'layout 1',
      make: () => ({
        entry: (id, c, rows) => {
          const name = keys.legacy.entrySuffix(c);
          return { name, value: rows, member: name, sets: keys.legacy.indexSuffixesOf(c) };
        },
      }),
    },
    {
      name: 'step 1: numeric entry ids (coordinates move into the value), the same 5 index sets, of ids',
      short: 'numeric ids',
      make: () => ({
        entry: (id, c, rows) => ({
          name: String(id),
          value: codec.encodeStoredEntry(c, rows),
          member: id,
          sets: keys.legacy.indexSuffixesOf(c),
        }),
      }),
    },
    {
      name: 'step 2 = layout 2 (ours): no master or measure set — 3 index sets of ids (m+freq, p, prov), ranges, registry, directory',
      short: 'layout 2',
      ours: true,
      make: () => serviceLayout(keys, codec),
    },
    {
      name: 'layout 2, values alone (keys and values, no index set): the rest is index memberships',
      short: 'values',
      valuesOnly: true,
      make: () => ({
        entry: (id, c, rows) => ({ name: String(id), value: codec.encodeStoredEntry(c, rows), member: id, sets: [] }),
      }),
    },
  ];
}
