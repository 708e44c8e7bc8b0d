/**
 * A JSON Schema check for the keywords docs/handler-protocol/*.schema.json use (what zod's
 * toJSONSchema emits for the protocol): type, const, enum, properties, required,
 * additionalProperties, propertyNames, items, anyOf, oneOf, minimum, maximum, exclusiveMinimum,
 * pattern. Any other keyword is refused, so a schema that grows one fails the test instead of
 * passing unchecked. Returns the first problem, or undefined.
 */
export function schemaProblem(schema: Record<string, unknown>, value: unknown, at = '$'): string | undefined {
  const known = new Set(['$schema', 'title', 'description', 'format', 'type', 'const', 'enum', 'properties', 'required', 'additionalProperties', 'propertyNames', 'items', 'anyOf', 'oneOf', 'minimum', 'maximum', 'exclusiveMinimum', 'pattern'])
  const unknown = Object.keys(schema).find((k) => !known.has(k))
  if (unknown !== undefined) return `${at}: the checker does not know the keyword ${unknown}`
  if (schema.type !== undefined && !hasType(value, schema.type as string)) return `${at}: ${JSON.stringify(value)} is not ${String(schema.type)}`
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) return `${at}: not ${JSON.stringify(schema.const)}`
  if (schema.enum !== undefined && !(schema.enum as unknown[]).includes(value)) return `${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return `${at}: below ${schema.minimum}`
    if (typeof schema.maximum === 'number' && value > schema.maximum) return `${at}: above ${schema.maximum}`
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) return `${at}: not above ${schema.exclusiveMinimum}`
  }
  if (typeof value === 'string' && typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) return `${at}: does not match ${schema.pattern}`
  if (schema.anyOf !== undefined && (schema.anyOf as Record<string, unknown>[]).every((s) => schemaProblem(s, value, at) !== undefined)) return `${at}: matches none of anyOf`
  if (schema.oneOf !== undefined) {
    const matching = (schema.oneOf as Record<string, unknown>[]).filter((s) => schemaProblem(s, value, at) === undefined).length
    if (matching !== 1) return `${at}: matches ${matching} of oneOf, not 1`
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    for (const [i, item] of value.entries()) {
      const problem = schemaProblem(schema.items as Record<string, unknown>, item, `${at}[${i}]`)
      if (problem) return problem
    }
  }
  if (isObject(value)) {
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in value)) return `${at}: no ${key}`
    const properties = (schema.properties as Record<string, Record<string, unknown>> | undefined) ?? {}
    for (const [key, item] of Object.entries(value)) {
      const sub = properties[key] ?? (isObject(schema.additionalProperties) ? schema.additionalProperties : undefined)
      if (sub === undefined && properties[key] === undefined && schema.additionalProperties === false) return `${at}: ${key} is not allowed`
      if (sub !== undefined) {
        const problem = schemaProblem(sub, item, `${at}.${key}`)
        if (problem) return problem
      }
      if (isObject(schema.propertyNames)) {
        const problem = schemaProblem(schema.propertyNames, key, `${at}.${key} (name)`)
        if (problem) return problem
      }
    }
  }
  return undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isObject(value)
    case 'array':
      return Array.isArray(value)
    case 'integer':
      return Number.isInteger(value)
    case 'null':
      return value === null
    default:
      return typeof value === type
  }
}
