/**
 * Element-wise column functions on typed arrays (never per cell through Arrow's
 * `get(i)`). A value is a column ({@link ColumnData}) or a scalar broadcast to every
 * row. Strings are handled on their dictionaries: a string function maps each distinct
 * string once and reuses the row indices.
 *
 * Null semantics (pandas' nullable dtypes, documented as "Differences from danfo" on the
 * public methods): arithmetic with a null gives null (danfo turns null into 0);
 * comparisons with a null give false (`ne` gives true); `and`/`or` treat null as false;
 * "NA" for isNa/fillNa/dropNa means null, or NaN in a float column (as danfo).
 */
import { ValidationError } from "../../errors.js";
import type { ColParams, ColFn, ScalarValue } from "../expr/column.js";
import type { Dtype } from "../meta.js";
import { bitmapFrom, getBit, isValid, toMillis, type ColumnData } from "../partition.js";
import { datetimeOp } from "./datetime.js";
import { stringOp } from "./strings.js";

/** A scalar broadcast to every row. */
export interface ScalarVal { readonly scalar: ScalarValue; readonly dtype: Dtype }
/** What an expression evaluates to. */
export type Value = ColumnData | ScalarVal;

export function isScalar(v: Value): v is ScalarVal {
  return "scalar" in v;
}

function andValidity(n: number, ...vals: Value[]): { validity: Uint8Array | null; nullCount: number } {
  const cols = vals.filter((v): v is ColumnData => !isScalar(v) && v.validity !== null);
  const nullScalar = vals.some((v) => isScalar(v) && v.scalar === null);
  if (nullScalar) {
    return { validity: new Uint8Array((n + 7) >> 3), nullCount: n };
  }
  if (cols.length === 0) return { validity: null, nullCount: 0 };
  if (cols.length === 1) return { validity: cols[0]!.validity, nullCount: cols[0]!.nullCount };
  const bytes = (n + 7) >> 3;
  const out = new Uint8Array(bytes).fill(0xff);
  for (const c of cols) for (let i = 0; i < bytes; i++) out[i]! &= c.validity![i]!;
  let nullCount = 0;
  for (let i = 0; i < n; i++) if (!(out[i >> 3]! & (1 << (i & 7)))) nullCount++;
  return nullCount === 0 ? { validity: null, nullCount: 0 } : { validity: out, nullCount };
}

/** A numeric operand: a typed array of the column's numbers, or a number for a scalar. */
function operand(v: Value, n: number): Float64Array | Int32Array | number {
  if (isScalar(v)) {
    return v.scalar === null ? NaN : typeof v.scalar === "boolean" ? Number(v.scalar) : v.dtype === "datetime" ? toMillis(v.scalar) : Number(v.scalar);
  }
  if (v.dtype === "boolean") { const out = new Float64Array(n); for (let i = 0; i < n; i++) out[i] = getBit(v.values, i) ? 1 : 0; return out; }
  if (v.dtype === "string") throw new ValidationError("internal: numbers of a string column");
  return v.values;
}

type Loop = (x: unknown, y: unknown, out: unknown, n: number) => void;

const ARITH_EXPR: Record<string, string> = {
  add: "a + b", sub: "a - b", mul: "a * b", div: "a / b", mod: "a % b", pow: "Math.pow(a, b)",
  divNoNan: "b === 0 ? 0 : a / b", maximum: "Math.max(a, b)", minimum: "Math.min(a, b)",
};
const CMP_EXPR: Record<string, string> = { gt: "a > b", ge: "a >= b", lt: "a < b", le: "a <= b", eq: "a === b", ne: "a !== b" };

/** Loops specialized per op and operand shape (column/column, column/scalar, scalar/column), generated once. */
function makeLoops(exprs: Record<string, string>, body: (expr: string) => string): Map<string, Loop> {
  const loops = new Map<string, Loop>();
  for (const [op, expr] of Object.entries(exprs)) {
    for (const shape of ["cc", "cs", "sc", "ss"]) {
      const a = shape[0] === "c" ? "x[i]" : "x";
      const b = shape[1] === "c" ? "y[i]" : "y";
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      loops.set(`${op}:${shape}`, new Function("x", "y", "out", "n", `for (let i = 0; i < n; i++) { const a = ${a}; const b = ${b}; ${body(expr)} }`) as Loop);
    }
  }
  return loops;
}

const ARITH_LOOPS = makeLoops(ARITH_EXPR, (e) => `out[i] = ${e};`);
const CMP_LOOPS = makeLoops(CMP_EXPR, (e) => `if (${e}) out[i >> 3] |= 1 << (i & 7);`);

function shapeOf(x: unknown, y: unknown): string {
  return `${typeof x === "number" ? "s" : "c"}${typeof y === "number" ? "s" : "c"}`;
}

function arith(fn: ColFn, a: Value, b: Value, n: number, out: Dtype): ColumnData {
  const x = operand(a, n);
  const y = operand(b, n);
  const vals = new Float64Array(n);
  if (typeof x === "number" && typeof y === "number") {
    const one = new Float64Array(1);
    ARITH_LOOPS.get(`${fn}:ss`)!(x, y, one, 1);
    vals.fill(one[0]!);
  } else {
    const loop = ARITH_LOOPS.get(`${fn}:${shapeOf(x, y)}`);
    if (!loop) throw new ValidationError(`internal: ${fn} is not arithmetic`);
    loop(x, y, vals, n);
  }
  const { validity, nullCount } = andValidity(n, a, b);
  if (out === "int32") {
    const ints = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = vals[i]!;
      ints[i] = v;
      if (ints[i] !== v && isValid(validity, i)) {
        throw new ValidationError(
          `int32 overflow in ${fn}: row ${i} gives ${v}, which does not fit in int32. Convert first: asType(column, "float32")`,
          { code: "ERR_INT_OVERFLOW" },
        );
      }
    }
    return { dtype: "int32", values: ints, validity, nullCount };
  }
  return { dtype: "float64", values: vals, validity, nullCount };
}

function boolColumn(n: number, test: (i: number) => boolean): ColumnData {
  const out = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (test(i)) out[i >> 3]! |= 1 << (i & 7);
  return { dtype: "boolean", values: out, validity: null, nullCount: 0 };
}

function cmp(fn: ColFn, d: number): boolean {
  switch (fn) {
    case "gt": return d > 0; case "ge": return d >= 0; case "lt": return d < 0; case "le": return d <= 0;
    case "eq": return d === 0; default: return d !== 0;
  }
}

function stringAt(v: Value): (i: number) => string | null {
  if (isScalar(v)) { const s = v.scalar === null ? null : String(v.scalar); return () => s; }
  if (v.dtype !== "string") throw new ValidationError("internal: stringAt of a non-string column");
  const { indices, dictionary, validity } = v;
  return (i) => (isValid(validity, i) ? dictionary[indices[i]!]! : null);
}

function compare(fn: ColFn, a: Value, b: Value, n: number): ColumnData {
  const aStr = a.dtype === "string";
  const bStr = b.dtype === "string";
  const nullResult = fn === "ne";
  if (aStr !== bStr) {
    // eq / ne between a string and a non-string: never equal.
    const { validity } = andValidity(n, a, b);
    return boolColumn(n, (i) => (isValid(validity, i) ? fn === "ne" : nullResult));
  }
  if (aStr && bStr) {
    if (!isScalar(a) && isScalar(b) && b.scalar !== null) {
      // Compare each dictionary entry once, then gather by index.
      const s = String(b.scalar);
      const perEntry = a.dictionary.map((x) => cmp(fn, x < s ? -1 : x > s ? 1 : 0));
      const { indices, validity } = a;
      return boolColumn(n, (i) => (isValid(validity, i) ? perEntry[indices[i]!]! : nullResult));
    }
    const x = stringAt(a);
    const y = stringAt(b);
    return boolColumn(n, (i) => {
      const p = x(i); const q = y(i);
      if (p === null || q === null) return nullResult;
      return cmp(fn, p < q ? -1 : p > q ? 1 : 0);
    });
  }
  const x = operand(a, n);
  const y = operand(b, n);
  const bits = new Uint8Array((n + 7) >> 3);
  if (typeof x === "number" && typeof y === "number") {
    const one = new Uint8Array(1);
    CMP_LOOPS.get(`${fn}:ss`)!(x, y, one, 1);
    if (one[0]) bits.fill(0xff);
  } else CMP_LOOPS.get(`${fn}:${shapeOf(x, y)}`)!(x, y, bits, n);
  const { validity } = andValidity(n, a, b);
  if (validity) {
    // A null gives false (ne: true).
    if (nullResult) for (let i = 0; i < bits.length; i++) bits[i]! |= ~validity[i]! & 0xff;
    else for (let i = 0; i < bits.length; i++) bits[i]! &= validity[i]!;
  }
  return { dtype: "boolean", values: bits, validity: null, nullCount: 0 };
}

function truthy(v: Value): (i: number) => boolean {
  if (isScalar(v)) { const t = v.scalar === true; return () => t; }
  if (v.dtype !== "boolean") throw new ValidationError("internal: truthy of a non-boolean column");
  const { values, validity } = v;
  return (i) => isValid(validity, i) && getBit(values, i);
}

/** Bits of the rows that are true and not null (a scalar is broadcast). */
function trueBits(v: Value, n: number): Uint8Array {
  const bytes = (n + 7) >> 3;
  if (isScalar(v)) return new Uint8Array(bytes).fill(v.scalar === true ? 0xff : 0);
  if (v.dtype !== "boolean") throw new ValidationError("internal: trueBits of a non-boolean column");
  if (!v.validity) return v.values;
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = v.values[i]! & v.validity[i]!;
  return out;
}

/** "Not available" at row i: null, or NaN in a float column. */
export function naAt(v: ColumnData): (i: number) => boolean {
  const validity = v.validity;
  if (v.dtype === "float64") { const a = v.values; return (i) => !isValid(validity, i) || a[i] !== a[i]; }
  return (i) => !isValid(validity, i);
}

/** Evaluates one element-wise function. */
export function applyFn(fn: ColFn, args: Value[], params: ColParams | undefined, n: number, out: Dtype): Value {
  const p = params ?? {};
  switch (fn) {
    case "add": case "sub": case "mul": case "div": case "mod": case "pow": case "divNoNan": case "maximum": case "minimum":
      return arith(fn, args[0]!, args[1]!, n, out);
    case "gt": case "ge": case "lt": case "le": case "eq": case "ne":
      return compare(fn, args[0]!, args[1]!, n);
    case "and": case "or": {
      const x = trueBits(args[0]!, n); const y = trueBits(args[1]!, n);
      const out = new Uint8Array(x.length);
      if (fn === "and") for (let i = 0; i < out.length; i++) out[i] = x[i]! & y[i]!;
      else for (let i = 0; i < out.length; i++) out[i] = x[i]! | y[i]!;
      return { dtype: "boolean", values: out, validity: null, nullCount: 0 };
    }
    case "not": { const x = truthy(args[0]!); return boolColumn(n, (i) => !x(i)); }
    case "isNa": case "notNa": {
      const v = args[0]!;
      if (isScalar(v)) { const na = v.scalar === null || (typeof v.scalar === "number" && Number.isNaN(v.scalar)); return boolColumn(n, () => na === (fn === "isNa")); }
      const na = naAt(v);
      return fn === "isNa" ? boolColumn(n, na) : boolColumn(n, (i) => !na(i));
    }
    case "abs": case "round": return unaryNumeric(fn, asColumn(args[0]!, n), p.dp ?? 1);
    case "fillNa": return fillNa(asColumn(args[0]!, n), p.value ?? null, n);
    case "replace": return replace(asColumn(args[0]!, n), p.oldValue ?? null, p.newValue ?? null, n);
    case "asType": return asType(asColumn(args[0]!, n), p.dtype!, n);
    case "str": return stringOp(asColumn(args[0]!, n), p.method!, p.args ?? [], out, n);
    case "dt": return datetimeOp(asColumn(args[0]!, n), p.method!, out, n);
    case "mapValues": return mapValues(asColumn(args[0]!, n), p.mapping ?? [], out, n);
    case "apply": throw new ValidationError("internal: apply is evaluated by the pipeline");
  }
}

/** A scalar broadcast to a column of n rows. */
export function asColumn(v: Value, n: number): ColumnData {
  if (!isScalar(v)) return v;
  return fromScalar(v.scalar, v.dtype, n);
}

/** A column of n copies of a scalar. */
export function fromScalar(s: ScalarValue, dtype: Dtype, n: number): ColumnData {
  const nullAll = s === null ? { validity: new Uint8Array((n + 7) >> 3), nullCount: n } : { validity: null, nullCount: 0 };
  switch (dtype) {
    case "float64": case "datetime": return { dtype, values: new Float64Array(n).fill(s === null ? 0 : dtype === "datetime" ? toMillis(s) : Number(s)), ...nullAll };
    case "int32": return { dtype, values: new Int32Array(n).fill(s === null ? 0 : Number(s)), ...nullAll };
    case "boolean": return { dtype, values: new Uint8Array((n + 7) >> 3).fill(s === true ? 0xff : 0), ...nullAll };
    case "string": return { dtype, indices: new Int32Array(n), dictionary: s === null ? [] : [String(s)], ...nullAll };
  }
}

function unaryNumeric(fn: "abs" | "round", c: ColumnData, dp: number): ColumnData {
  if (c.dtype !== "float64" && c.dtype !== "int32") throw new ValidationError(`${fn} needs numbers, got ${c.dtype}`);
  const n = c.values.length;
  if (c.dtype === "int32") {
    const out = new Int32Array(n);
    const a = c.values;
    if (fn === "abs") for (let i = 0; i < n; i++) out[i] = Math.abs(a[i]!);
    else out.set(a);
    return { dtype: "int32", values: out, validity: c.validity, nullCount: c.nullCount };
  }
  const out = new Float64Array(n);
  const a = c.values;
  if (fn === "abs") for (let i = 0; i < n; i++) out[i] = Math.abs(a[i]!);
  else {
    const d = dp < 0 ? 1 : dp;
    // danfo's rounding: Number(x.toFixed(dp)).
    for (let i = 0; i < n; i++) { const x = a[i]!; out[i] = x === x && Number.isFinite(x) ? Number(x.toFixed(d)) : x; }
  }
  return { dtype: "float64", values: out, validity: c.validity, nullCount: c.nullCount };
}

function castScalar(s: ScalarValue, dtype: Dtype): ScalarValue {
  if (s === null) return null;
  switch (dtype) {
    case "float64": case "int32": case "datetime": return typeof s === "number" ? s : Number(s);
    case "boolean": return Boolean(s);
    case "string": return String(s);
  }
}

function fillNa(c: ColumnData, value: ScalarValue, n: number): ColumnData {
  if (value === null) return c;
  const na = naAt(c);
  const v = castScalar(value, c.dtype);
  switch (c.dtype) {
    case "float64": case "datetime": { const out = c.values.slice(); for (let i = 0; i < n; i++) if (na(i)) out[i] = Number(v); return { dtype: c.dtype, values: out, validity: null, nullCount: 0 }; }
    case "int32": { const out = c.values.slice(); for (let i = 0; i < n; i++) if (na(i)) out[i] = Number(v); return { dtype: c.dtype, values: out, validity: null, nullCount: 0 }; }
    case "boolean": { const out = c.values.slice(); for (let i = 0; i < n; i++) if (na(i)) { if (v) out[i >> 3]! |= 1 << (i & 7); else out[i >> 3]! &= ~(1 << (i & 7)); } return { dtype: "boolean", values: out, validity: null, nullCount: 0 }; }
    case "string": {
      const s = String(v);
      let code = c.dictionary.indexOf(s);
      const dictionary = code < 0 ? [...c.dictionary, s] : c.dictionary;
      if (code < 0) code = dictionary.length - 1;
      const out = c.indices.slice();
      for (let i = 0; i < n; i++) if (na(i)) out[i] = code;
      return { dtype: "string", indices: out, dictionary, validity: null, nullCount: 0 };
    }
  }
}

function replace(c: ColumnData, oldValue: ScalarValue, newValue: ScalarValue, n: number): ColumnData {
  if (c.dtype === "string") {
    const o = oldValue === null ? null : String(oldValue);
    const nv = newValue === null ? null : String(newValue);
    if (o === null || nv === null) return c;
    // Map the dictionary, then merge duplicates so entries stay unique.
    return remapDictionary(c, c.dictionary.map((s) => (s === o ? nv : s)), n);
  }
  if (typeof oldValue !== "number" && typeof oldValue !== "boolean") return c;
  const target = Number(oldValue);
  const repl = Number(newValue);
  if (c.dtype === "boolean") {
    const out = c.values.slice();
    for (let i = 0; i < n; i++) if (isValid(c.validity, i) && Number(getBit(c.values, i)) === target) { if (repl) out[i >> 3]! |= 1 << (i & 7); else out[i >> 3]! &= ~(1 << (i & 7)); }
    return { ...c, values: out };
  }
  const out = c.values.slice();
  for (let i = 0; i < n; i++) if (isValid(c.validity, i) && out[i] === target) out[i] = repl;
  return { ...c, values: out } as ColumnData;
}

/** A string column whose dictionary entries are replaced by `mapped` (duplicates merged). */
export function remapDictionary(c: Extract<ColumnData, { dtype: "string" }>, mapped: readonly string[], n: number): ColumnData {
  const codes = new Map<string, number>();
  const dictionary: string[] = [];
  const remap = new Int32Array(mapped.length);
  mapped.forEach((s, j) => {
    let code = codes.get(s);
    if (code === undefined) { code = dictionary.length; codes.set(s, code); dictionary.push(s); }
    remap[j] = code;
  });
  if (dictionary.length === mapped.length && remap.every((v, j) => v === j)) return { ...c, dictionary };
  const indices = new Int32Array(n);
  const src = c.indices;
  for (let i = 0; i < n; i++) indices[i] = isValid(c.validity, i) ? remap[src[i]!]! : 0;
  return { dtype: "string", indices, dictionary, validity: c.validity, nullCount: c.nullCount };
}

/** A column of `dtype` from per-row JS values computed by `at` (null for null). */
export function buildColumn(dtype: Dtype, n: number, at: (i: number) => unknown): ColumnData {
  const vals = new Array<unknown>(n);
  for (let i = 0; i < n; i++) vals[i] = at(i);
  const { validity, nullCount } = bitmapFrom(n, (i) => vals[i] === null || vals[i] === undefined);
  switch (dtype) {
    case "float64": case "datetime": { const out = new Float64Array(n); for (let i = 0; i < n; i++) out[i] = vals[i] == null ? 0 : dtype === "datetime" ? toMillis(vals[i]) : Number(vals[i]); return { dtype, values: out, validity, nullCount }; }
    case "int32": { const out = new Int32Array(n); for (let i = 0; i < n; i++) out[i] = vals[i] == null ? 0 : Number(vals[i]); return { dtype, values: out, validity, nullCount }; }
    case "boolean": { const out = new Uint8Array((n + 7) >> 3); for (let i = 0; i < n; i++) if (vals[i]) out[i >> 3]! |= 1 << (i & 7); return { dtype, values: out, validity, nullCount }; }
    case "string": {
      const codes = new Map<string, number>(); const dictionary: string[] = []; const indices = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        if (vals[i] == null) continue;
        const s = String(vals[i]);
        let c = codes.get(s);
        if (c === undefined) { c = dictionary.length; codes.set(s, c); dictionary.push(s); }
        indices[i] = c;
      }
      return { dtype, indices, dictionary, validity, nullCount };
    }
  }
}

/** The JS value of row i (null for null; datetimes as ms). */
export function valueAt(c: ColumnData): (i: number) => ScalarValue {
  const v = c.validity;
  switch (c.dtype) {
    case "float64": case "int32": case "datetime": { const a = c.values; return (i) => (isValid(v, i) ? a[i]! : null); }
    case "boolean": { const a = c.values; return (i) => (isValid(v, i) ? getBit(a, i) : null); }
    case "string": { const { indices, dictionary } = c; return (i) => (isValid(v, i) ? dictionary[indices[i]!]! : null); }
  }
}

function asType(c: ColumnData, dtype: Dtype, n: number): ColumnData {
  if (c.dtype === dtype) return c;
  if (c.dtype === "string") {
    // Convert each distinct string once.
    const conv = c.dictionary.map((s) => convert(s, dtype));
    if (dtype === "string") return c;
    const at = valueAt(c);
    void at;
    return buildColumn(dtype, n, (i) => (isValid(c.validity, i) ? conv[c.indices[i]!] : null));
  }
  const at = valueAt(c);
  if (dtype === "string" && c.dtype === "datetime") return buildColumn(dtype, n, (i) => { const x = at(i); return x === null ? null : new Date(x as number).toISOString(); });
  return buildColumn(dtype, n, (i) => { const x = at(i); return x === null ? null : convert(x, dtype); });
}

function convert(x: ScalarValue, dtype: Dtype): ScalarValue {
  if (x === null) return null;
  switch (dtype) {
    case "float64": return typeof x === "string" ? Number(x) : Number(x);
    case "int32": { const v = typeof x === "string" ? parseInt(x, 10) : Math.trunc(Number(x)); return Number.isNaN(v) ? null : v | 0; }
    case "boolean": return typeof x === "string" ? x === "true" || x === "True" || x === "1" : Boolean(x);
    case "string": return String(x);
    case "datetime": return toMillis(x);
  }
}

function mapValues(c: ColumnData, mapping: ReadonlyArray<readonly [ScalarValue, ScalarValue]>, out: Dtype, n: number): ColumnData {
  const table = new Map<unknown, ScalarValue>(mapping.map(([k, v]) => [k, v]));
  const at = valueAt(c);
  return buildColumn(out, n, (i) => { const x = at(i); return table.has(x) ? table.get(x)! : null; });
}
