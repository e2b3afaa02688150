import { z } from 'zod';

type Json = Record<string, unknown>;

/**
 * A zod schema as a Swagger 2.0 schema: zod emits OpenAPI 3.0 JSON Schema, and the few things
 * Swagger 2.0 lacks are mapped (`nullable` -> `x-nullable`, unions -> their first non-null branch,
 * `const` -> a one-value enum). Schemas with a `meta({ id })` land in `definitions`.
 */
export function toSwaggerSchema(schema: z.ZodType, io: 'input' | 'output', definitions: Json): Json {
  const generated = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Json;
  const { definitions: defs, ...root } = generated;
  for (const [name, def] of Object.entries((defs ?? {}) as Json)) definitions[name] = convert(def);
  return convert(root);
}

function convert(node: unknown): Json {
  if (!node || typeof node !== 'object') return node as Json;
  if (Array.isArray(node)) return node.map(convert) as unknown as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === 'nullable') out['x-nullable'] = value;
    else if (key === 'const') out.enum = [value];
    else if (key === 'anyOf' || key === 'oneOf') {
      const branches = (value as Json[]).filter(
        (b) => b.type !== 'null' && !(b.enum && (b.enum as unknown[]).every((v) => v === null)),
      );
      Object.assign(
        out,
        branches.length === 1 || branches.every((b) => b.type && b.type === branches[0]?.type)
          ? convert(branches[0])
          : {},
      );
    } else out[key] = convert(value);
  }
  return out;
}
