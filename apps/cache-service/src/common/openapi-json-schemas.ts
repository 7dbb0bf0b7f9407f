import type { ApiPropertyOptions, OpenAPIObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';

const ref = (name: string): ReferenceObject => ({ $ref: `#/components/schemas/${name}` });

/**
 * Schemas of the JSON the service stores as it comes (jsonb columns: audit parameters, alert contexts, EXPLAIN
 * plans, recommendation settings). No Nest DTO can say "any JSON value" or a recursive plan tree, so they are
 * written here and added to the document once; DTO properties point at them with `jsonSchema(...)`. A client
 * generator gets a recursive JSON type from them instead of `unknown`.
 */
const SCHEMAS = {
  JsonValue: {
    description: 'Any JSON value',
    // null through the string branch: OpenAPI 3.0 has no null type, and `nullable` needs a `type` beside it.
    anyOf: [
      { type: 'string', nullable: true },
      { type: 'number' },
      { type: 'boolean' },
      { type: 'array', items: ref('JsonValue') },
      ref('JsonObject'),
    ],
  },
  JsonObject: { type: 'object', description: 'A JSON object', additionalProperties: ref('JsonValue') },
  ExplainPlanNode: {
    type: 'object',
    description:
      'One node of a PostgreSQL plan, with PostgreSQL\'s own key names ("Node Type", "Relation Name", "Plan Rows", …)',
    required: ['Node Type'],
    properties: {
      'Node Type': { type: 'string', example: 'Seq Scan' },
      'Relation Name': { type: 'string', example: 'revenue_facts' },
      'Index Name': { type: 'string' },
      'Plan Rows': { type: 'number' },
      'Total Cost': { type: 'number' },
      Plans: { type: 'array', items: ref('ExplainPlanNode') },
    },
    additionalProperties: ref('JsonValue'),
  },
  ExplainPlan: {
    type: 'array',
    description: 'Output of `EXPLAIN (FORMAT JSON)`: one element per statement, each with its root `Plan`',
    items: {
      type: 'object',
      required: ['Plan'],
      properties: { Plan: ref('ExplainPlanNode') },
      additionalProperties: ref('JsonValue'),
    },
  },
  AlertContext: {
    type: 'object',
    description: 'What the evaluator measured against, and its bookkeeping across evaluations',
    properties: {
      metric: { type: 'string', example: 'CACHE_HIT_RATIO' },
      thresholdId: { type: 'string', format: 'uuid' },
      direction: { type: 'string', enum: ['ABOVE', 'BELOW'] },
      unit: { type: 'string' },
      warningThreshold: { type: 'number', nullable: true },
      criticalThreshold: { type: 'number', nullable: true },
      tableName: { type: 'string' },
      windowMinutes: { type: 'integer' },
      historyDropped: { type: 'integer', description: 'Older history events let go' },
      acknowledgedSeverity: { type: 'string', description: 'The severity an acknowledgement was for' },
      lastDeliveredEventAt: {
        type: 'string',
        format: 'date-time',
        description: 'When the newest webhook notification delivered happened (older ones are not sent after it)',
      },
      lastEmailDeliveredEventAt: {
        type: 'string',
        format: 'date-time',
        description: 'The same for alert e-mails',
      },
    },
    additionalProperties: ref('JsonValue'),
  },
} satisfies Record<string, SchemaObject>;

/** A DTO property's schema pointing at one of the shared JSON schemas, optionally nullable. */
export function jsonSchema(
  name: keyof typeof SCHEMAS,
  options: { nullable?: boolean; description?: string } = {},
): ApiPropertyOptions {
  return {
    ...(options.nullable ? { nullable: true } : {}),
    ...(options.description ? { description: options.description } : {}),
    allOf: [ref(name)],
  };
}

/** Adds the shared JSON schemas and makes every nullable schema say so in the way OpenAPI 3.0.3 defines. */
export function completeSchemas(document: OpenAPIObject): OpenAPIObject {
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...SCHEMAS } };
  visitSchemas(document, strictNullable);
  return document;
}

/** The value null, in OpenAPI 3.0 terms. */
const NULL_VALUE: SchemaObject = { type: 'string', nullable: true, enum: [null] };

/**
 * OpenAPI 3.0.3: `nullable` adds null to the `type` of its own schema object only, and every other keyword still
 * applies. So Nest's `{nullable, type: 'object', allOf: [$ref]}` (a nullable DTO property) does not allow null to a
 * strict validator, nor does a nullable `enum` that lacks null. Both are rewritten so that null is allowed by the
 * letter of the specification: `anyOf: [$ref, null]`, and null added to the enum.
 */
function strictNullable(schema: SchemaObject): SchemaObject {
  if (schema.nullable !== true) return schema;
  if (schema.allOf?.length === 1 && (schema.type === undefined || schema.type === 'object')) {
    const { allOf, type: _type, nullable: _nullable, ...rest } = schema;
    return { ...rest, anyOf: [allOf[0], NULL_VALUE] };
  }
  if (schema.enum && !schema.enum.includes(null)) return { ...schema, enum: [...schema.enum, null] };
  return schema;
}

/** Applies `fix` to every schema object of the document (components, parameters, bodies, responses), innermost last. */
function visitSchemas(document: OpenAPIObject, fix: (schema: SchemaObject) => SchemaObject): void {
  const walk = (node: unknown, isSchema: boolean): unknown => {
    if (Array.isArray(node)) return node.map((item) => walk(item, isSchema));
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'example' || key === 'examples' || key === 'enum') out[key] = value;
      else if (key === 'properties' && isSchema)
        out[key] = Object.fromEntries(
          Object.entries(value as object).map(([name, child]) => [name, walk(child, true)]),
        );
      else out[key] = walk(value, SCHEMA_KEYS.has(key) || (isSchema && SUBSCHEMA_KEYS.has(key)));
    }
    return isSchema ? fix(out as SchemaObject) : out;
  };
  document.paths = walk(document.paths, false) as OpenAPIObject['paths'];
  const schemas = document.components?.schemas ?? {};
  for (const [name, schema] of Object.entries(schemas)) schemas[name] = walk(schema, true) as SchemaObject;
}

/** Keys whose value is a schema anywhere in a document, and keys whose value holds schemas inside a schema. */
const SCHEMA_KEYS = new Set(['schema']);
const SUBSCHEMA_KEYS = new Set(['items', 'allOf', 'anyOf', 'oneOf', 'not', 'additionalProperties']);
