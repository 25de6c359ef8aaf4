/**
 * Column expressions: what a Series is, relative to the frame it was taken from. A
 * Series `df.column("fare").add(df.column("tip"))` is `{ frame: df, expr: add(col fare,
 * col tip) }`, so combining Series of one frame never adds tasks: the whole expression
 * runs as one kernel pipeline per partition (./lower.ts). Plain data, so it travels in
 * a task as a literal and hashes into deterministic keys.
 *
 * Output dtypes are decided here, at graph-building time, from the input dtypes; type
 * errors (arithmetic on a string column, a mask that is not boolean) are raised here.
 */
import { ValidationError } from "../../errors.js";
import type { FnRef } from "../../graph/shipped-function.js";
import type { LayeredGraph } from "../../graph/graph.js";
import { danfoDtype, isNumeric, type Dtype } from "../meta.js";

/** A scalar a user can put in an expression. */
export type ScalarValue = number | string | boolean | null;

/** A column expression. */
export type ColExpr =
  | { readonly t: "col"; readonly name: string }
  | { readonly t: "lit"; readonly value: ScalarValue; readonly dtype: Dtype }
  /** A lazy scalar (e.g. a reduction's result) computed by task `key`, broadcast to every row. */
  | { readonly t: "ext"; readonly key: string; readonly dtype: Dtype }
  | { readonly t: "fn"; readonly fn: ColFn; readonly args: readonly ColExpr[]; readonly params?: ColParams; readonly dtype: Dtype };

/** Parameters of the parametrized column functions. */
export interface ColParams {
  readonly dp?: number;
  readonly value?: ScalarValue;
  readonly oldValue?: ScalarValue;
  readonly newValue?: ScalarValue;
  readonly dtype?: Dtype;
  readonly method?: string;
  readonly args?: readonly unknown[];
  readonly fn?: FnRef;
  readonly mapping?: ReadonlyArray<readonly [ScalarValue, ScalarValue]>;
}

/** Element-wise functions the kernels implement (kernels/rowwise-ops.ts). */
export type ColFn =
  | "add" | "sub" | "mul" | "div" | "mod" | "pow" | "divNoNan" | "maximum" | "minimum"
  | "gt" | "ge" | "lt" | "le" | "eq" | "ne"
  | "and" | "or" | "not"
  | "abs" | "round" | "isNa" | "notNa" | "fillNa" | "replace" | "asType"
  | "str" | "dt" | "apply" | "mapValues";

export const ARITH: ReadonlySet<string> = new Set(["add", "sub", "mul", "div", "mod", "pow", "divNoNan", "maximum", "minimum"]);
export const COMPARE: ReadonlySet<string> = new Set(["gt", "ge", "lt", "le", "eq", "ne"]);

/** A reference to a column of the frame. */
export function col(name: string): ColExpr {
  return { t: "col", name };
}

/** A literal (broadcast to every row). */
export function litValue(value: ScalarValue): ColExpr {
  return { t: "lit", value, dtype: scalarDtype(value) };
}

/** The dtype of a scalar. */
export function scalarDtype(v: ScalarValue): Dtype {
  if (typeof v === "number") return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? "int32" : "float64";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "boolean";
  return "float64";
}

const externalGraphs = new WeakMap<object, LayeredGraph>();

/**
 * An expression reading the value of a lazy scalar: task `key` of `graph` (its value a
 * number, boolean or string, or a reduction's `{ values: [x] }`). The graph travels with
 * the expression node (held weakly, keyed by the node) and is merged in when lowering.
 */
export function externalScalar(key: string, graph: LayeredGraph, dtype: Dtype = "float64"): ColExpr {
  const e: ColExpr = { t: "ext", key, dtype };
  externalGraphs.set(e, graph);
  return e;
}

/** The lazy scalars an expression reads, with their graphs. */
export function externalsOf(e: ColExpr, out: Map<string, LayeredGraph> = new Map()): Map<string, LayeredGraph> {
  if (e.t === "ext") { const g = externalGraphs.get(e); if (g) out.set(e.key, g); }
  else if (e.t === "fn") for (const a of e.args) externalsOf(a, out);
  return out;
}

/** Names of the columns an expression reads. */
export function columnsOf(e: ColExpr, out: Set<string> = new Set()): Set<string> {
  if (e.t === "col") out.add(e.name);
  else if (e.t === "fn") for (const a of e.args) columnsOf(a, out);
  return out;
}

/** Replaces column references (used when one projection is applied over another). */
export function substituteCols(e: ColExpr, replace: (name: string) => ColExpr): ColExpr {
  if (e.t === "col") return replace(e.name);
  if (e.t !== "fn") return e;
  return { ...e, args: e.args.map((a) => substituteCols(a, replace)) };
}

/** The dtype an expression produces, given the frame's column dtypes. */
export function dtypeOf(e: ColExpr, columns: ReadonlyMap<string, Dtype>): Dtype {
  if (e.t === "col") {
    const d = columns.get(e.name);
    if (d === undefined) throw new ValidationError(`Column ${JSON.stringify(e.name)} is not in the frame`, { code: "ERR_UNKNOWN_COLUMN" });
    return d;
  }
  return e.dtype;
}

/** The column name inside a label like `Series "fare"`. */
function rawName(label: string | undefined): string {
  const m = label ? /"(.*)"/.exec(label) : null;
  return m ? JSON.parse(`"${m[1]}"`) as string : "column";
}

function label(what: string, d: Dtype): string {
  return `${what} (dtype ${danfoDtype(d)})`;
}

/**
 * The output dtype of `fn` applied to inputs of the given dtypes; throws a
 * ValidationError naming the operation and the fix when they do not fit.
 * Rules: int32 ⊕ int32 stays int32 for add/sub/mul/mod (pandas keeps integers; an
 * overflow is an error at run time), div and pow give float64, anything with a float
 * gives float64; comparisons and logic give boolean.
 */
export function resultDtype(fn: ColFn, inputs: readonly Dtype[], names: readonly string[], params: ColParams = {}): Dtype {
  const [a, b] = inputs;
  switch (fn) {
    case "add": case "sub": case "mul": case "div": case "mod": case "pow": case "divNoNan": case "maximum": case "minimum": {
      inputs.forEach((d, i) => {
        if (!isNumeric(d) && !(d === "boolean")) {
          throw new ValidationError(
            `Cannot ${fn} ${label(names[i] ?? "a value", d)}: arithmetic needs numbers. ` +
              (d === "string" ? `Convert it first, e.g. df.asType(${JSON.stringify(rawName(names[i]))}, "float32"), or use .str methods for text.` : `Convert it first with asType(column, "float32").`),
            { code: "ERR_DTYPE" },
          );
        }
      });
      if (fn === "div" || fn === "pow" || fn === "divNoNan") return "float64";
      return inputs.every((d) => d === "int32" || d === "boolean") ? "int32" : "float64";
    }
    case "gt": case "ge": case "lt": case "le": case "eq": case "ne": {
      const kinds = inputs.map((d) => (isNumeric(d) || d === "boolean" ? "number" : d));
      if (kinds[0] !== kinds[1] && !(fn === "eq" || fn === "ne")) {
        throw new ValidationError(
          `Cannot compare ${label(names[0] ?? "left", a!)} with ${label(names[1] ?? "right", b!)} using ${fn}: both sides must be numbers, strings or datetimes alike`,
          { code: "ERR_DTYPE" },
        );
      }
      return "boolean";
    }
    case "and": case "or": case "not":
      inputs.forEach((d, i) => {
        if (d !== "boolean") throw new ValidationError(`${fn} needs boolean values, got ${label(names[i] ?? "a value", d)}; build a mask with a comparison first, e.g. s.gt(0)`, { code: "ERR_DTYPE" });
      });
      return "boolean";
    case "abs": case "round":
      if (!isNumeric(a!)) throw new ValidationError(`${fn} needs numbers, got ${label(names[0] ?? "a value", a!)}`, { code: "ERR_DTYPE" });
      return a!;
    case "isNa": case "notNa":
      return "boolean";
    case "fillNa": case "replace":
      return a!;
    case "asType":
      return params.dtype!;
    case "str": case "dt": case "apply": case "mapValues":
      return params.dtype!;
  }
}

/** Throws unless `d` is boolean: used for masks given to query / loc({ rows }). */
export function assertMask(d: Dtype, where: string): void {
  if (d !== "boolean") {
    throw new ValidationError(
      `${where} needs a boolean mask, got a Series of dtype ${danfoDtype(d)}. Build one with a comparison, e.g. df.column("fare").gt(10)`,
      { code: "ERR_NOT_BOOLEAN" },
    );
  }
}
