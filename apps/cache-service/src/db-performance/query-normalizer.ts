import { createHash } from 'node:crypto';

/** query_pattern is at most this long (seed 003's check). */
export const MAX_PATTERN_LENGTH = 2000;

/**
 * The shape of a query without its values: string and numeric literals and bind parameters ($1…) become
 * `?`, runs of whitespace become one space; identifiers (quoted or not), keywords and casts are kept.
 * Two executions that differ only in their values share a pattern, and so a hash.
 */
export function normaliseQuery(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  const isIdentChar = (ch: string | undefined): boolean => ch !== undefined && /[A-Za-z0-9_$]/.test(ch);
  while (i < n) {
    const ch = sql[i];
    if (ch === "'" || ((ch === 'E' || ch === 'e') && sql[i + 1] === "'" && !isIdentChar(sql[i - 1]))) {
      // A string literal ('it''s', E'…'): skip to its closing quote.
      let j = ch === "'" ? i + 1 : i + 2;
      const escapes = ch !== "'";
      for (; j < n; j++) {
        if (escapes && sql[j] === '\\') j++;
        else if (sql[j] === "'") {
          if (sql[j + 1] === "'") j++;
          else break;
        }
      }
      out += '?';
      i = j + 1;
    } else if (ch === '"') {
      // A quoted identifier is kept as it is.
      let j = i + 1;
      for (; j < n; j++) {
        if (sql[j] === '"') {
          if (sql[j + 1] === '"') j++;
          else break;
        }
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '$' && /[0-9]/.test(sql[i + 1] ?? '') && !isIdentChar(sql[i - 1])) {
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j])) j++;
      out += '?';
      i = j;
    } else if (/[0-9]/.test(ch) && !isIdentChar(sql[i - 1])) {
      const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(sql.slice(i));
      out += '?';
      i += match ? match[0].length : 1;
    } else if (/\s/.test(ch)) {
      while (i < n && /\s/.test(sql[i])) i++;
      out += ' ';
    } else {
      out += ch;
      i++;
    }
  }
  return out.trim().slice(0, MAX_PATTERN_LENGTH);
}

/** SHA-256 (64 lowercase hex) of a normalised query. */
export const queryHash = (pattern: string): string => createHash('sha256').update(pattern).digest('hex');

export const QUERY_HASH = /^[0-9a-f]{64}$/;

/** The statement EXPLAIN can plan for a logged query: a `COPY (SELECT …) TO STDOUT` is planned as its SELECT. */
export function explainableSql(sql: string): string | null {
  const trimmed = sql.trim();
  const copy = /^COPY\s*\(([\s\S]*)\)\s*TO\s+STDOUT\b[\s\S]*$/i.exec(trimmed);
  if (copy) return copy[1];
  return /^(SELECT|WITH)\b/i.test(trimmed) ? trimmed : null;
}

export interface PlanNode {
  'Node Type'?: string;
  'Relation Name'?: string;
  Schema?: string;
  'Index Name'?: string;
  'Plan Rows'?: number;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

export interface PlanSummary {
  /**
   * Rows the scan nodes are *estimated* to read (EXPLAIN without ANALYZE never runs the query): a sequential
   * scan reads its whole table (the table's row estimate, pg_class.reltuples, when known), other scans the
   * planner's row estimate for them.
   */
  rowsExamined: number;
  indexesUsed: string[];
  usedIndex: boolean;
}

const INDEX_SCANS = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Index Scan']);

/**
 * Reads a plan from `EXPLAIN (FORMAT JSON)`; `tableRows` gives the row estimate of a schema-qualified table
 * (for sequential scans), when known.
 */
export function summarisePlan(
  explain: unknown,
  tableRows: (relation: string) => number | undefined = () => undefined,
): PlanSummary {
  const root = Array.isArray(explain)
    ? (explain[0] as { Plan?: PlanNode } | undefined)?.Plan
    : (explain as { Plan?: PlanNode } | undefined)?.Plan;
  const indexes = new Set<string>();
  let rowsExamined = 0;
  const visit = (node: PlanNode): void => {
    const type = node['Node Type'] ?? '';
    const rows = Math.max(0, Math.round(Number(node['Plan Rows'] ?? 0)));
    if (INDEX_SCANS.has(type) && node['Index Name']) indexes.add(node['Index Name']);
    // Bitmap index scans feed a bitmap heap scan; the heap scan is the one that reads rows.
    if (node['Relation Name'] !== undefined) {
      if (type === 'Seq Scan') {
        const relation = node.Schema ? `${node.Schema}.${node['Relation Name']}` : node['Relation Name'];
        rowsExamined += Math.max(rows, Math.round(tableRows(relation) ?? 0));
      } else {
        rowsExamined += rows;
      }
    }
    for (const child of node.Plans ?? []) visit(child);
  };
  if (root) visit(root);
  return { rowsExamined, indexesUsed: [...indexes].sort(), usedIndex: indexes.size > 0 };
}
