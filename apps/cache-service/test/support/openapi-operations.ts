// The fuzz test's view of the OpenAPI document: its operations, their parameters and schemas, and the ids
// harvested from responses to fill path parameters (openapi-fuzz.ts generates the requests).

/** A loose view of an OpenAPI 3 schema: enough to generate values for it. */
export type Schema = {
  $ref?: string;
  type?: string;
  example?: unknown;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};
export type Parameter = {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
};
export type OpenApiDoc = {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId?: string;
        parameters?: Parameter[];
        requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
      }
    >
  >;
  components?: { schemas?: Record<string, Schema> };
};

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  id: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  body: Schema | null;
}

export interface FuzzRequest {
  /** The path with its parameters filled in and percent-encoded. */
  url: string;
  body: { contentType: string | null; raw: string } | null;
  /** What is hostile about this request, for the report. */
  note: string;
}

/** Where ids seen in earlier responses are kept, by name (`id`, `jobId`, `datasourceId` …), so requests reach real rows. */
export type IdPool = Map<string, unknown[]>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** Names of id fields and parameters: their values are kept in the pool and drawn from it. */
export const ID_NAMES = new Set([
  'id',
  'jobId',
  'datasourceId',
  'purgeId',
  'hash',
  'queryHash',
  'indexStrategyId',
  'key',
]);

/** The collection an operation works on: its path up to the first parameter. */
export const resourceOf = (path: string): string => path.split('/{')[0];

/**
 * Remembers the ids of a response: `id` as an id of the operation's resource (and, for `/datasources`, as a
 * `datasourceId`), the other id names under their own name.
 */
export function harvest(
  pool: IdPool,
  resource: string,
  value: unknown,
  skip: (id: unknown) => boolean,
  depth = 0,
): void {
  if (depth > 4 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) return value.slice(0, 20).forEach((item) => harvest(pool, resource, item, skip, depth + 1));
  for (const [key, item] of Object.entries(value)) {
    if (ID_NAMES.has(key) && (typeof item === 'string' || typeof item === 'number') && !skip(item)) {
      const names =
        key === 'id'
          ? depth <= 2
            ? [`${resource}#id`, ...(resource.endsWith('/datasources') ? ['datasourceId'] : [])]
            : []
          : key === 'queryHash'
            ? ['queryHash', 'hash']
            : [key];
      for (const name of names) {
        const ids = pool.get(name) ?? [];
        if (!ids.includes(item)) pool.set(name, [...ids.slice(-30), item]);
      }
    } else harvest(pool, resource, item, skip, depth + 1);
  }
}

export function operationsOf(doc: OpenApiDoc): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = op.parameters ?? [];
      operations.push({
        method,
        path,
        id: `${method.toUpperCase()} ${path}`,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
      });
    }
  }
  return operations;
}
