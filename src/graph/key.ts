/**
 * Keys name task results. A key is `name` or `name#i` / `name#i,j` for chunks, where
 * `name` is `prefix-token`: the prefix says what made it (`read-csv`, `sum-chunk`) and
 * the token is a hash of the op and its inputs, so the same expression built twice gives
 * the same keys and equal subgraphs merge. Keys come only from {@link makeKey}; only
 * {@link parseKey} reads one.
 */
import { createHash } from "node:crypto";

/** A task's name in a graph. */
export type Key = string & { readonly __brand: "Key" };

/** The parts of a key. */
export interface KeyParts {
  /** `prefix-token`, shared by all chunks of one collection layer. */
  readonly name: string;
  /** What made it, e.g. `read-csv`: the task group shown in progress bars and dashboards. */
  readonly prefix: string;
  /** Chunk index (empty for a key without one). */
  readonly index: readonly number[];
}

/**
 * Makes a key from a layer name and an optional chunk index.
 * @example makeKey("sum-1a2b3c", [2, 0]) // "sum-1a2b3c#2,0"
 */
export function makeKey(name: string, index?: number | readonly number[]): Key {
  if (index === undefined) return name as Key;
  const idx = typeof index === "number" ? String(index) : index.join(",");
  return `${name}#${idx}` as Key;
}

/** Makes a layer name `prefix-token` with a token over `parts`. */
export function makeName(prefix: string, ...parts: unknown[]): string {
  return `${prefix}-${tokenize(prefix, ...parts)}`;
}

/** Reads a key made by {@link makeKey}. */
export function parseKey(key: Key | string): KeyParts {
  const hash = key.lastIndexOf("#");
  const name = hash < 0 ? key : key.slice(0, hash);
  const index = hash < 0 || hash === key.length - 1 ? [] : key.slice(hash + 1).split(",").map(Number);
  const dash = name.lastIndexOf("-");
  const prefix = dash <= 0 ? name : name.slice(0, dash);
  return { name, prefix, index };
}

/** The layer name of a key (everything before `#`). */
export function keyName(key: Key | string): string {
  return parseKey(key).name;
}

/** The task group of a key (the prefix before the token). */
export function keyPrefix(key: Key | string): string {
  return parseKey(key).prefix;
}

/**
 * A deterministic token (16 hex digits) over plain values: strings, numbers, booleans,
 * null/undefined, bigints, arrays, plain objects (key order does not matter), typed
 * arrays (by content) and functions (by source text). Never by object identity.
 */
export function tokenize(...parts: unknown[]): string {
  const hash = createHash("sha1");
  for (const part of parts) feed(hash, part, 0);
  return hash.digest("hex").slice(0, 16);
}

type Hash = ReturnType<typeof createHash>;

function feed(hash: Hash, value: unknown, depth: number): void {
  if (depth > 64) throw new RangeError("tokenize: value nested deeper than 64 levels");
  if (value === null) return void hash.update("n;");
  switch (typeof value) {
    case "undefined": return void hash.update("u;");
    case "string": return void hash.update(`s${value.length}:${value};`);
    case "number": return void hash.update(`d${Object.is(value, -0) ? "-0" : String(value)};`);
    case "bigint": return void hash.update(`b${value};`);
    case "boolean": return void hash.update(value ? "T;" : "F;");
    case "function": return void hash.update(`f${value.toString()};`);
    case "symbol": return void hash.update(`y${value.description ?? ""};`);
  }
  if (ArrayBuffer.isView(value)) {
    hash.update(`v${value.constructor.name}${value.byteLength}:`);
    hash.update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    return void hash.update(";");
  }
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer)) {
    hash.update(`a${value.byteLength}:`);
    hash.update(new Uint8Array(value));
    return void hash.update(";");
  }
  if (Array.isArray(value)) {
    hash.update(`[${value.length}`);
    for (const item of value) feed(hash, item, depth + 1);
    return void hash.update("]");
  }
  if (value instanceof Date) return void hash.update(`t${value.getTime()};`);
  if (value instanceof Map) {
    hash.update("M{");
    for (const [k, v] of value) { feed(hash, k, depth + 1); feed(hash, v, depth + 1); }
    return void hash.update("}");
  }
  const tokenMethod = (value as { tuskToken?: () => string }).tuskToken;
  if (typeof tokenMethod === "function") return void hash.update(`k${tokenMethod.call(value)};`);
  const obj = value as Record<string, unknown>;
  hash.update("{");
  for (const k of Object.keys(obj).sort()) {
    hash.update(`${k}=`);
    feed(hash, obj[k], depth + 1);
  }
  hash.update("}");
}
