// Bench section of the cache-engine bench (issue 15, part 1): a full warm against an incremental refresh of the same
// datasource after 1 % of its groups changed (plus a few deleted and a few new), through the running service. Figures:
// the time of each (job start → completed, from the job rows) and the source rows each read (the job rows'
// rowsProcessed). Targets: rows read ≤ 2 % and time ≤ 15 % of the full warm's.
import { api, warmThroughService } from './service-api.mjs';

export const INCREMENTAL_TARGETS = { rowsReadShare: 0.02, timeShare: 0.15 };

const GROUP = 'measure, practice_id, provider_id, frequency';

/**
 * Adds an `updated_at` watermark column (and its index) to `table`, registers a datasource with change detection
 * `watermark` on it, warms it fully, changes 1 % of its groups (deletes 0.1 %, adds 0.1 % new), and refreshes it again
 * — incrementally. Checks that the refreshed generation holds exactly the source's rows and groups.
 */
export async function incrementalRefresh({ db, service, cache, table, columnMapping, entries, log, timeoutMs }) {
  // A constant default: PostgreSQL adds the column without rewriting the table.
  await db.query(`ALTER TABLE ${table} ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT '2026-11-01T00:00:00Z'`);
  await db.query(`CREATE INDEX facts_updated_at_idx ON ${table} (updated_at)`);
  // The last load touched a few rows a day later: the bulk lies outside the refresh's safety overlap
  // (WARM_WATERMARK_OVERLAP_SECONDS before the watermark), as it would in a table loaded over time.
  await db.query(`UPDATE ${table} SET updated_at = '2026-11-02T00:00:00Z' WHERE id IN (SELECT min(id) FROM ${table})`);
  // The group scan that finds deletions is an index-only scan of the warming index once the visibility map is set.
  await db.query(`VACUUM ANALYZE ${table}`);
  const created = await api(service, 'POST', '/api/admin/datasources', {
    name: `Bench incremental ${entries} entries`,
    sourceTable: table,
    columnMapping,
    minWarmIntervalSeconds: 0,
    warmSchedule: null,
    changeDetection: 'watermark',
    watermarkColumn: 'updated_at',
  });
  const ds = created.id;
  const full = await warmThroughService(service, ds, timeoutMs);
  if (full.refreshKind !== 'full') throw new Error(`the first warm ran as ${full.refreshKind}`);
  log(`incremental section: full warm ${full.seconds.toFixed(2)} s, ${full.rowsProcessed} rows read`);

  const changedGroups = Math.max(1, Math.round(entries / 100));
  const deletedGroups = Math.max(1, Math.round(entries / 1000));
  const pick = (order, limit, offset) =>
    `SELECT ${GROUP} FROM (SELECT DISTINCT ${GROUP} FROM ${table}) d ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}`;
  const matches = `t.measure = g.measure AND t.practice_id = g.practice_id AND t.provider_id = g.provider_id AND t.frequency = g.frequency`;
  const order = `md5(measure || practice_id || provider_id || frequency)`;
  const changed = await db.query(
    `UPDATE ${table} t SET value = t.value + 1, updated_at = now() FROM (${pick(order, changedGroups, 0)}) g WHERE ${matches}`,
  );
  const deleted = await db.query(
    `DELETE FROM ${table} t USING (${pick(order, deletedGroups, changedGroups)}) g WHERE ${matches}`,
  );
  // New groups: copies of a few groups under provider ids no practice has (one new group per copied group).
  const added = await db.query(
    `INSERT INTO ${table} (measure, practice_id, provider_id, frequency, period_date, value, updated_at)
     SELECT t.measure, t.practice_id, t.provider_id + 900000, t.frequency, t.period_date, t.value, now()
     FROM ${table} t JOIN (${pick(order, deletedGroups, changedGroups + deletedGroups)}) g ON ${matches}`,
  );
  const incremental = await warmThroughService(service, ds, timeoutMs);
  if (incremental.refreshKind !== 'incremental')
    throw new Error(`the refresh ran as ${incremental.refreshKind}: ${incremental.refreshReason}`);
  const [{ rows, groups }] = (
    await db.query(`SELECT count(*)::int AS rows, count(DISTINCT (${GROUP}))::int AS groups FROM ${table}`)
  ).rows;
  const meta = await cache.meta(ds);
  if (meta.rows !== rows || meta.entries !== groups)
    throw new Error(
      `the refreshed generation holds ${meta.rows} rows / ${meta.entries} entries; the source ${rows} / ${groups}`,
    );
  log(
    `incremental section: refresh ${incremental.seconds.toFixed(2)} s, ${incremental.rowsProcessed} rows read; ` +
      `${incremental.groupsRewritten} groups rewritten, ${incremental.groupsCarried} carried, ${incremental.groupsDeleted} deleted`,
  );
  const rowsReadShare = incremental.rowsProcessed / full.rowsProcessed;
  const timeShare = incremental.seconds / full.seconds;
  return {
    full,
    incremental,
    rowsReadShare,
    timeShare,
    json: {
      datasourceId: ds,
      changes: {
        groupsChanged: changedGroups,
        rowsChanged: changed.rowCount,
        groupsDeleted: deletedGroups,
        rowsDeleted: deleted.rowCount,
        groupsAdded: deletedGroups,
        rowsAdded: added.rowCount,
      },
      full: { seconds: full.seconds, rowsRead: full.rowsProcessed, groupsRewritten: full.groupsRewritten },
      incremental: {
        seconds: incremental.seconds,
        rowsRead: incremental.rowsProcessed,
        groupsRewritten: incremental.groupsRewritten,
        groupsCarried: incremental.groupsCarried,
        groupsDeleted: incremental.groupsDeleted,
      },
      rowsReadShare,
      timeShare,
      targets: INCREMENTAL_TARGETS,
    },
  };
}
