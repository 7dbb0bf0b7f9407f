import { Ajv, type ValidateFunction } from 'ajv';
import formatsPlugin from 'ajv-formats';

// ajv-formats is CommonJS: under nodenext its default import is the module, whose `default` is the plugin.
const addFormats = formatsPlugin.default;

type Json = Record<string, unknown>;
type OpenApiDoc = {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Json }> }> }>
  >;
  components?: { schemas?: Record<string, Json> };
};

const DOC_ID = 'openapi';

/**
 * OpenAPI 3.0 schema → JSON Schema for ajv, by the letter of OpenAPI 3.0.3: `nullable` adds null to the `type` of
 * its own schema object and does nothing without one; `$ref`s point into the document's components. Object
 * schemas that list properties and say nothing of others get `additionalProperties: false`: a field the service
 * sends but the document does not describe is a disagreement too (a generated client would never see it).
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const schema = node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'example' || key === 'examples') continue;
    if (key === '$ref') out.$ref = `${DOC_ID}${String(value)}`;
    else if (key === 'properties')
      out.properties = Object.fromEntries(
        Object.entries(value as Json).map(([name, child]) => [name, toJsonSchema(child)]),
      );
    else if (key === 'enum' || key === 'required') out[key] = value;
    else out[key] = toJsonSchema(value);
  }
  if (schema.nullable === true && typeof schema.type === 'string') out.type = [schema.type, 'null'];
  if (schema.properties && schema.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

export interface ResponseCheck {
  /** The documented JSON schema of the operation's 200 response, or null when it documents no JSON body. */
  schemaOf(path: string, method: string, status?: number): Json | null;
  /** Human-readable disagreements of `body` with that schema (empty when it validates). */
  problems(path: string, method: string, body: unknown, status?: number): string[];
}

/** Validates live response bodies against the OpenAPI document (ajv + ajv-formats on the converted schemas). */
export function responseCheck(doc: OpenApiDoc): ResponseCheck {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: DOC_ID, components: { schemas: toJsonSchema(doc.components?.schemas ?? {}) } });
  const compiled = new Map<string, ValidateFunction>();
  const schemaOf = (path: string, method: string, status = 200): Json | null =>
    doc.paths[path]?.[method]?.responses?.[String(status)]?.content?.['application/json']?.schema ?? null;
  return {
    schemaOf,
    problems(path, method, body, status = 200) {
      const schema = schemaOf(path, method, status);
      if (!schema) return [`${method.toUpperCase()} ${path} documents no JSON body for ${status}`];
      const key = `${method} ${path} ${status}`;
      let validate = compiled.get(key);
      if (!validate) {
        validate = ajv.compile(toJsonSchema(schema) as Json);
        compiled.set(key, validate);
      }
      if (validate(body)) return [];
      return (validate.errors ?? [])
        .slice(0, 10)
        .map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    },
  };
}
