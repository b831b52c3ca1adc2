/**
 * Reading the options of a JSON spec (a layer, an initializer, a regularizer): each kind
 * declares a table of option parsers with their defaults, and `readOptions` refuses unknown
 * names and wrong values with a message naming the option, what was given and what is allowed.
 */

/** A JSON value as found in specs. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Turns a raw spec value into a typed option, throwing with `where` in the message if invalid. */
export type Parser<T> = (value: unknown, where: string) => T;

export interface OptionDef<T> {
  parse: Parser<T>;
  /** The value when the option is absent; `undefined` makes the option required. */
  default: T | undefined;
  /** A one-line description, shown in error messages listing the valid options. */
  doc?: string;
}

export type OptionTable = Record<string, OptionDef<unknown>>;

export type OptionValues<T extends OptionTable> = {
  [K in keyof T]: T[K] extends OptionDef<infer V> ? V : never;
};

export class SpecError extends Error {
  override name = 'SpecError';
}

/** An option that must be given. */
export function required<T>(parse: Parser<T>): OptionDef<T> {
  return { parse, default: undefined };
}

/** An option with a default. */
export function optional<T>(parse: Parser<T>, defaultValue: T): OptionDef<T> {
  return { parse, default: defaultValue };
}

/**
 * Validates `spec` against `table`: every key must be in the table or in `common`, every
 * required option present. Returns the options with defaults filled in.
 */
export function readOptions<T extends OptionTable>(
  kind: string,
  spec: Record<string, unknown>,
  table: T,
  common: readonly string[] = ['type'],
): OptionValues<T> {
  const valid = [...common, ...Object.keys(table)];
  for (const key of Object.keys(spec)) {
    if (!valid.includes(key)) {
      throw new SpecError(`${kind}: unknown option "${key}"; valid options are ${valid.join(', ')}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(table)) {
    const raw = spec[key];
    if (raw === undefined) {
      if (def.default === undefined) {
        throw new SpecError(`${kind}: option "${key}" is required`);
      }
      out[key] = def.default;
    } else {
      out[key] = def.parse(raw, `${kind}.${key}`);
    }
  }
  return out as OptionValues<T>;
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

export const positiveInt: Parser<number> = (value, where) => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new SpecError(`${where}: expected a positive integer, got ${describe(value)}`);
  }
  return value;
};

export function numberIn(
  min: number,
  max: number,
  { minOpen = false, maxOpen = false } = {},
): Parser<number> {
  return (value, where) => {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (minOpen ? value > min : value >= min) &&
      (maxOpen ? value < max : value <= max);
    if (!ok) {
      const range = `${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}`;
      throw new SpecError(`${where}: expected a number in ${range}, got ${describe(value)}`);
    }
    return value as number;
  };
}

export const anyNumber: Parser<number> = (value, where) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SpecError(`${where}: expected a finite number, got ${describe(value)}`);
  }
  return value;
};

export const boolean: Parser<boolean> = (value, where) => {
  if (typeof value !== 'boolean')
    throw new SpecError(`${where}: expected true or false, got ${describe(value)}`);
  return value;
};

export function oneOf<const V extends string>(values: readonly V[]): Parser<V> {
  return (value, where) => {
    if (typeof value !== 'string' || !values.includes(value as V)) {
      throw new SpecError(`${where}: expected one of ${values.join(', ')}, got ${describe(value)}`);
    }
    return value as V;
  };
}

/** A positive integer or a pair of them (kernel sizes, strides); always returned as a pair. */
export const intPair: Parser<[number, number]> = (value, where) => {
  if (typeof value === 'number') {
    positiveInt(value, where);
    return [value, value];
  }
  if (Array.isArray(value) && value.length === 2) {
    return [positiveInt(value[0], where), positiveInt(value[1], where)];
  }
  throw new SpecError(`${where}: expected a positive integer or a pair of them, got ${describe(value)}`);
};

/** A shape: positive integers, at most one of which may be -1 (inferred). */
export const shapeWithWildcard: Parser<number[]> = (value, where) => {
  if (
    !Array.isArray(value) ||
    value.some((d) => typeof d !== 'number' || !Number.isInteger(d) || (d < 1 && d !== -1)) ||
    value.filter((d) => d === -1).length > 1
  ) {
    throw new SpecError(
      `${where}: expected an array of positive integers (one may be -1), got ${describe(value)}`,
    );
  }
  return [...(value as number[])];
};

/** A plain object `{type, ...options}` or a bare name string, as initializers and regularizers are written. */
export function typedSpec(value: unknown, where: string): { type: string } & Record<string, unknown> {
  if (typeof value === 'string') return { type: value };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const type = (value as Record<string, unknown>)['type'];
    if (typeof type === 'string') return value as { type: string } & Record<string, unknown>;
  }
  throw new SpecError(
    `${where}: expected a name or an object {"type": name, ...options}, got ${describe(value)}`,
  );
}
