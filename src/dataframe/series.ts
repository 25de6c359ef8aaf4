/**
 * A lazy Series with danfo's API. A Series is a column expression over a frame
 * (./expr/column.ts): `df.column("fare").add(df.column("tip")).gt(10)` is one
 * expression over `df`, computed by one kernel pipeline per partition.
 *
 * Differences from danfo (all methods): nulls propagate through arithmetic (danfo
 * treats a null as 0), comparisons with a null are false (`ne`: true), string and
 * datetime methods keep nulls as null (danfo gives NaN); results get a fresh 0..n-1
 * index; `inplace` is not supported (partitions are immutable: rebind the variable).
 */
import type * as dfd from "danfojs-node";
import { inspect, type InspectOptions } from "node:util";
import { seriesRepr } from "./repr.js";
import { ValidationError } from "../errors.js";
import { TUSK, type Collection, type CollectionSpec } from "../graph/collection.js";
import { computeOne, type ComputeOptions } from "../graph/compute.js";
import { visualize, type VisualizeOptions } from "../diagnostics/visualize.js";
import type { LayeredGraph } from "../graph/graph.js";
import type { Key } from "../graph/key.js";
import { shipFunction, type FnRef } from "../graph/shipped-function.js";
import { loadDanfo, partitionsToDanfoSeries } from "./danfo.js";
import { align, filterExpr, selectExpr } from "./expr/build.js";
import { Scalar } from "./scalar.js";
import {
  externalScalar, assertMask, col, litValue, resultDtype, scalarDtype, type ColExpr, type ColFn, type ColParams, type ScalarValue,
} from "./expr/column.js";
import { npartitionsOf, type FrameExpr } from "./expr/frame-expr.js";
import { lowerFrame } from "./expr/lower.js";
import { danfoDtype, parseDtype, type ColumnMeta, type Dtype } from "./meta.js";
import { DATETIME_METHODS } from "./kernels/datetime.js";
import { STRING_METHODS } from "./kernels/strings.js";
import "./kernels/rowwise.js";
import type { Partition } from "./partition.js";
import * as R from "./verbs/methods.js";
import { seriesDropDuplicates } from "./verbs/drop-duplicates.js";
import { seriesTop } from "./verbs/nlargest.js";
import { seriesSortValues } from "./verbs/sort.js";

/** What a Series is made of (for the DataFrame and verbs modules). */
export interface SeriesParts {
  readonly frame: FrameExpr;
  readonly expr: ColExpr;
  readonly name: string;
  readonly dtype: Dtype;
}

/** A right-hand operand: another Series, a value, or a lazy Scalar (e.g. `s.mean()`). */
export type Operand = Series | Scalar<number> | number | string | boolean | Date | null;

/** Options of apply / map with a function: extra values for the function, and its output dtype. */
export interface ApplyOptions {
  /** Extra arguments passed after the value: `s.apply((x, k) => x * k, { args: [k] })`. */
  args?: readonly unknown[];
  /** Output dtype (danfo's labels); inferred by calling the function on a sample value when omitted. */
  dtype?: string;
}

let partsOf: (s: Series) => SeriesParts;

/** The parts of a Series. */
export function seriesParts(s: Series): SeriesParts {
  return partsOf(s);
}

const SAMPLE: Record<Dtype, unknown> = { float64: 1.5, int32: 1, string: "a", boolean: true, datetime: new Date(0) };

/** Output dtype of a user function, by calling it once on a sample value (Dask's meta inference). */
export function inferFnDtype(fn: (...a: unknown[]) => unknown, input: Dtype, args: readonly unknown[], what: string): Dtype {
  let out: unknown;
  try {
    out = fn(SAMPLE[input], ...args);
  } catch (error) {
    throw new ValidationError(
      `Could not infer the output dtype of ${what}: calling it on a sample value (${JSON.stringify(SAMPLE[input])}) threw "${String((error as Error)?.message ?? error)}". ` +
        `Pass it: { dtype: "float32" | "int32" | "string" | "boolean" }`,
      { cause: error },
    );
  }
  if (typeof out === "number") return "float64";
  if (typeof out === "string") return "string";
  if (typeof out === "boolean") return "boolean";
  if (out instanceof Date) return "datetime";
  throw new ValidationError(`Could not infer the output dtype of ${what}: on a sample value it returned ${out === null ? "null" : typeof out}. Pass it: { dtype: "float32" | "int32" | "string" | "boolean" }`);
}

/**
 * A lazy column.
 * @example
 * const total = df.column("fare").add(df.column("tip"));
 * const s = await total.compute(); // danfo Series
 */
export class Series implements Collection<dfd.Series> {
  readonly #frame: FrameExpr;
  readonly #expr: ColExpr;
  readonly #name: string;
  readonly #dtype: Dtype;

  static {
    partsOf = (s) => ({ frame: s.#frame, expr: s.#expr, name: s.#name, dtype: s.#dtype });
  }

  /** @internal Use `df.column(name)`. */
  constructor(frame: FrameExpr, expr: ColExpr, name: string, dtype: Dtype) {
    this.#frame = frame;
    this.#expr = expr;
    this.#name = name;
    this.#dtype = dtype;
  }

  /**
   * A Series whose partition i is computed by `keys[i]` (each a one-column Partition).
   * @example Series.fromGraph(graph, keys, { name: "fare", dtype: "float64" })
   */
  static fromGraph(graph: LayeredGraph, keys: readonly Key[], meta: ColumnMeta, options: { divisions?: readonly unknown[]; lengths?: readonly number[] } = {}): Series {
    const frame: FrameExpr = { kind: "graph", graph, keys, meta: { columns: [meta] }, ...options };
    return new Series(frame, col(meta.name), meta.name, meta.dtype);
  }

  /** The Series' name. */
  get name(): string { return this.#name; }
  /** danfo's dtype label ("float32" for the float64 tusk stores). */
  get dtype(): string { return danfoDtype(this.#dtype); }
  /** The stored dtype and name. */
  get meta(): ColumnMeta { return { name: this.#name, dtype: this.#dtype }; }
  /** Number of partitions. */
  get npartitions(): number { return npartitionsOf(this.#frame); }

  /** This Series as a one-column frame expression. */
  toFrameExpr(): FrameExpr {
    if (this.#expr.t === "col" && this.#expr.name === this.#name && this.#frame.meta.columns.length === 1 && this.#frame.meta.columns[0]!.name === this.#name) return this.#frame;
    return selectExpr(this.#frame, [[this.#name, this.#expr]], this.#expr.t === "fn" ? this.#expr.fn : "column");
  }

  /** The optimized, lowered partitions (one-column batches). */
  toPartitions(): { graph: LayeredGraph; keys: Key[]; meta: ColumnMeta } {
    const { graph, keys } = lowerFrame(this.toFrameExpr());
    return { graph, keys, meta: this.meta };
  }

  [TUSK](): CollectionSpec<dfd.Series> {
    const { graph, keys } = this.toPartitions();
    const meta = this.meta;
    return {
      graph, keys,
      finalize: (values) => partitionsToDanfoSeries(values as Partition[], meta),
      rebuild: (g) => Series.fromGraph(g, keys, meta),
    };
  }

  /**
   * Computes the Series (a danfo Series with a fresh 0..n-1 index).
   * @example await df.column("fare").gt(10).compute()
   */
  compute(options: ComputeOptions = {}): Promise<dfd.Series> {
    // Start importing danfo (it loads TensorFlow.js, ~1-2 s) while the graph runs on the
    // worker threads; finalize awaits the same promise and reports a failure.
    loadDanfo().catch(() => undefined);
    return computeOne(this, options);
  }

  /**
   * Computes the Series as a one-column Arrow Table (one batch per partition).
   * @example const table = await df.column("fare").toArrow();
   */
  async toArrow(options: ComputeOptions = {}): Promise<import("apache-arrow").Table> {
    const { graph, keys, meta } = this.toPartitions();
    const parts = await computeOne<Partition[]>({
      [TUSK]: () => ({ graph, keys, finalize: (v: unknown[]) => v as Partition[], rebuild: () => { throw new ValidationError("toArrow cannot be persisted"); } }),
    }, options);
    const { toArrowTable } = await import("./edges.js");
    return toArrowTable(parts, { columns: [meta] });
  }

  #with(expr: ColExpr, dtype: Dtype, frame: FrameExpr = this.#frame, name = this.#name): Series {
    return new Series(frame, expr, name, dtype);
  }

  #unary(fn: ColFn, params?: ColParams, dtype?: Dtype): Series {
    const out = dtype ?? resultDtype(fn, [this.#dtype], [`Series ${JSON.stringify(this.#name)}`], params);
    return this.#with({ t: "fn", fn, args: [this.#expr], params, dtype: out }, out);
  }

  #binary(fn: ColFn, other: Operand): Series {
    if (other instanceof Series) {
      const o = seriesParts(other);
      const { frame, exprs } = align([{ frame: this.#frame, expr: this.#expr }, { frame: o.frame, expr: o.expr }], `${this.#name}.${fn}(${o.name})`);
      const dtype = resultDtype(fn, [this.#dtype, o.dtype], [`Series ${JSON.stringify(this.#name)}`, `Series ${JSON.stringify(o.name)}`]);
      return this.#with({ t: "fn", fn, args: exprs, dtype }, dtype, frame);
    }
    if (other instanceof Scalar) {
      const ext = externalScalar(other.key, other[TUSK]().graph, "float64");
      const dtype = resultDtype(fn, [this.#dtype, "float64"], [`Series ${JSON.stringify(this.#name)}`, `a lazy scalar`]);
      return this.#with({ t: "fn", fn, args: [this.#expr, ext], dtype }, dtype);
    }
    if (Array.isArray(other)) {
      throw new ValidationError(`${fn} with an array is not supported on a chunked Series; make it a Series of the same frame (df.addColumn) or compute() first`);
    }
    const lit: ColExpr = other instanceof Date
      ? { t: "lit", value: other.getTime(), dtype: "datetime" }
      : this.#dtype === "datetime" && typeof other === "string" ? { t: "lit", value: new Date(other).getTime(), dtype: "datetime" } : litValue(other as ScalarValue);
    const ldt = lit.t === "lit" ? lit.dtype : scalarDtype(null);
    const dtype = resultDtype(fn, [this.#dtype, ldt], [`Series ${JSON.stringify(this.#name)}`, `the value ${JSON.stringify(other)}`]);
    return this.#with({ t: "fn", fn, args: [this.#expr, lit], dtype }, dtype);
  }

  // arithmetic (danfo: add sub mul div mod pow)
  /** Element-wise sum. Differences from danfo: a null gives null (danfo: 0). @example a.add(b); a.add(1) */
  add(other: Operand): Series { return this.#binary("add", other); }
  /** Element-wise difference. @example a.sub(1) */
  sub(other: Operand): Series { return this.#binary("sub", other); }
  /** Element-wise product. @example a.mul(b) */
  mul(other: Operand): Series { return this.#binary("mul", other); }
  /** Element-wise quotient (float; x/0 is ±Infinity or NaN). @example a.div(b) */
  div(other: Operand): Series { return this.#binary("div", other); }
  /** Element-wise remainder with the sign of the dividend (JavaScript's `%`, as danfo gives). @example a.mod(2) */
  mod(other: Operand): Series { return this.#binary("mod", other); }
  /** Element-wise power. @example a.pow(2) */
  pow(other: Operand): Series { return this.#binary("pow", other); }

  /** Element-wise quotient, 0 where the divisor is 0. @example a.divNoNan(b) */
  divNoNan(other: Operand): Series { return this.#binary("divNoNan", other); }
  /** Element-wise maximum of two Series (or a Series and a number). @example a.maximum(b) */
  maximum(other: Operand): Series { return this.#binary("maximum", other); }
  /** Element-wise minimum. @example a.minimum(0) */
  minimum(other: Operand): Series { return this.#binary("minimum", other); }
  /** The Series itself: tusk collections are immutable, so a copy is free. @example s.copy() */
  copy(): Series { return this; }

  // comparison (danfo: gt ge lt le eq ne)
  /** Element-wise `>`; with a null: false. @example df.column("fare").gt(10) */
  gt(other: Operand): Series { return this.#binary("gt", other); }
  /** Element-wise `>=`. @example s.ge(0) */
  ge(other: Operand): Series { return this.#binary("ge", other); }
  /** Element-wise `<`. @example s.lt(0) */
  lt(other: Operand): Series { return this.#binary("lt", other); }
  /** Element-wise `<=`. @example s.le(5) */
  le(other: Operand): Series { return this.#binary("le", other); }
  /** Element-wise equality (strings compared per distinct value). @example s.eq("CASH") */
  eq(other: Operand): Series { return this.#binary("eq", other); }
  /** Element-wise inequality; with a null: true. @example s.ne(0) */
  ne(other: Operand): Series { return this.#binary("ne", other); }

  /** Logical and of boolean Series (null counts as false). @example a.gt(1).and(b.lt(2)) */
  and(other: Series | boolean): Series { return this.#binary("and", other); }
  /** Logical or of boolean Series (null counts as false). @example a.gt(1).or(b.lt(2)) */
  or(other: Series | boolean): Series { return this.#binary("or", other); }

  /** Absolute values. Differences from danfo: null stays null (danfo: 0). @example s.abs() */
  abs(_options?: { inplace?: boolean }): Series { noInplace(_options, "abs"); return this.#unary("abs"); }
  /** Rounds to `dp` decimals (danfo's rule: Number(x.toFixed(dp)); default 1). @example s.round(2) */
  round(dp = 1, _options?: { inplace?: boolean }): Series { noInplace(_options, "round"); return this.#unary("round", { dp }); }
  /** True where the value is null (or NaN in a float column). @example s.isNa() */
  isNa(): Series { return this.#unary("isNa"); }
  /** Replaces nulls (and NaN in float columns) by `value`. @example s.fillNa(0) */
  fillNa(value: ScalarValue | Date, _options?: { inplace?: boolean }): Series {
    noInplace(_options, "fillNa");
    return this.#unary("fillNa", { value: value instanceof Date ? value.getTime() : value });
  }
  /** Replaces `oldValue` by `newValue`. @example s.replace("cash", "CASH") */
  replace(oldValue: ScalarValue, newValue: ScalarValue, _options?: { inplace?: boolean }): Series {
    noInplace(_options, "replace");
    return this.#unary("replace", { oldValue, newValue });
  }
  /** Converts to a dtype (danfo's labels). @example s.asType("int32") */
  asType(dtype: "float32" | "int32" | "string" | "boolean" | "datetime", _options?: { inplace?: boolean }): Series {
    noInplace(_options, "asType");
    const d = parseDtype(dtype, "asType's dtype");
    return this.#unary("asType", { dtype: d }, d);
  }
  /** Drops the rows whose value is null (or NaN). Differences from danfo: the index restarts at 0 after compute. @example s.dropNa() */
  dropNa(_options?: { inplace?: boolean }): Series {
    noInplace(_options, "dropNa");
    const mask: ColExpr = { t: "fn", fn: "notNa", args: [this.#expr], dtype: "boolean" };
    return this.#with(this.#expr, this.#dtype, filterExpr(this.#frame, mask, "dropna"));
  }

  /**
   * Applies a closure-free function to each value (on strings: once per distinct
   * value). Extra values go in `{ args }`; the output dtype is inferred from a sample
   * call unless given as `{ dtype }`. Differences from danfo: a null is not passed to
   * the function and stays null; datetimes are passed as Date objects.
   * @example s.apply((x, k) => x * k, { args: [2] })
   */
  apply(fn: (value: never, ...args: never[]) => unknown, options: ApplyOptions = {}): Series {
    return this.#applyFn(fn, options, "apply");
  }

  /**
   * Maps each value through an object (`{ a: 1 }`; missing keys give null) or a
   * closure-free function (like `apply`).
   * @example s.map({ cash: "CASH", card: "CARD" }); s.map((x) => x * 2)
   */
  map(callable: Record<string, ScalarValue> | Map<ScalarValue, ScalarValue> | ((value: never, ...args: never[]) => unknown), options: ApplyOptions = {}): Series {
    if (typeof callable === "function") return this.#applyFn(callable, options, "map");
    const entries: Array<[ScalarValue, ScalarValue]> = callable instanceof Map ? [...callable] : Object.entries(callable);
    // Object keys are strings: match numbers and booleans by their text.
    const mapping: Array<[ScalarValue, ScalarValue]> = callable instanceof Map ? entries : entries.map(([k, v]) => [
      this.#dtype === "float64" || this.#dtype === "int32" ? Number(k) : this.#dtype === "boolean" ? k === "true" : k, v,
    ]);
    const values = mapping.map(([, v]) => v).filter((v) => v !== null);
    const out: Dtype = options.dtype ? parseDtype(options.dtype) : values.length === 0 ? "float64" : scalarDtype(values[0]!) === "int32" && values.some((v) => !Number.isInteger(v)) ? "float64" : scalarDtype(values[0]!);
    return this.#unary("mapValues", { mapping }, out);
  }

  #applyFn(fn: (...a: never[]) => unknown, options: ApplyOptions, method: string): Series {
    const what = `the function given to Series.${method}`;
    const ref: FnRef = shipFunction(fn, what, `s.${method}((x, k) => x * k, { args: [k] })`);
    const args = options.args ?? [];
    const dtype = options.dtype ? parseDtype(options.dtype) : inferFnDtype(fn as (...a: unknown[]) => unknown, this.#dtype, args, what);
    return this.#unary("apply", { fn: ref, args }, dtype);
  }

  /** String methods, computed on each distinct string once. @example s.str.toUpperCase() */
  get str(): StringAccessor {
    if (this.#dtype !== "string") throw new ValidationError(`.str needs a string Series; ${JSON.stringify(this.#name)} has dtype ${this.dtype}. Convert it first: s.asType("string")`, { code: "ERR_DTYPE" });
    return new StringAccessor((method, args) => {
      const m = STRING_METHODS[method]!;
      return this.#unary("str", { method, args }, m.out);
    });
  }

  /** Datetime fields (UTC; danfo's months are 0-based). @example s.dt.month() */
  get dt(): DatetimeAccessor {
    if (this.#dtype !== "datetime" && this.#dtype !== "string") {
      throw new ValidationError(`.dt needs a datetime (or date string) Series; ${JSON.stringify(this.#name)} has dtype ${this.dtype}`, { code: "ERR_DTYPE" });
    }
    return new DatetimeAccessor((method) => this.#unary("dt", { method }, DATETIME_METHODS[method]!.out));
  }

  /** Not available on a chunked Series: needs the position of a row in the whole data. */
  iat(_row: number): never {
    throw notChunked("Series.iat", "const s = await series.compute(); s.iat(i)");
  }

  /** Not available lazily: the values are known only after computing. */
  get values(): never {
    throw notChunked("Series.values", "(await series.compute()).values");
  }

  // reductions, cumulative, head/tail (verbs/methods.ts) — one-line delegating methods
  /** Sum (missing skipped) → Scalar. @example await s.sum().compute() */
  sum(options?: R.ReduceOptions): R.Scalar<number> { return R.seriesReduction(this, "sum", options); }
  /** Mean. @example await s.mean().compute() */
  mean(options?: R.ReduceOptions): R.Scalar<number> { return R.seriesReduction(this, "mean", options); }
  /** Minimum (booleans as 1/0, as danfo). @example await s.min().compute() */
  min(options?: R.ReduceOptions): R.Scalar<number> { return R.seriesReduction(this, "min", options); }
  /** Maximum. @example await s.max().compute() */
  max(options?: R.ReduceOptions): R.Scalar<number> { return R.seriesReduction(this, "max", options); }
  /** Non-missing values. @example await s.count().compute() */
  count(options?: R.ReduceOptions): R.Scalar<number> { return R.seriesReduction(this, "count", options); }
  /** Sample standard deviation (ddof 1). @example await s.std().compute() */
  std(options?: R.ReduceOptions): R.Scalar<number> { return R.seriesReduction(this, "std", options); }
  /** Sample variance (ddof 1). @example await s.var().compute() */
  var(options?: R.ReduceOptions): R.Scalar<number> { return R.seriesReduction(this, "var", options); }
  /** Exact median. @example await s.median().compute() */
  median(options?: R.ReduceOptions): R.Scalar<number> { return R.seriesReduction(this, "median", options); }
  /** Modes, as danfo's array. @example await s.mode().compute() // [4, 5] */
  mode(options?: R.ReduceOptions): R.Scalar<R.Cell[]> { return R.seriesMode(this, options); }
  /** Distinct values (null and NaN count, as in danfo; `{ splitOut }` for millions of values). @example await s.nUnique().compute() */
  nUnique(options?: R.ValueCountsOptions): R.Scalar<number> { return R.seriesNUniqueOf(this, options); }
  /** Distinct values in order of first appearance (one partition). @example await s.unique().compute() */
  unique(options?: R.ReduceOptions): Series { return R.seriesUniqueOf(this, options); }
  /** Counts per value, in danfo's order → danfo Series indexed by value (`{ splitOut }` for millions of values: order by hash bucket). @example await s.valueCounts().compute() */
  valueCounts(options?: R.ValueCountsOptions): R.Reduced<dfd.Series> { return R.seriesValueCountsOf(this, options); }
  /** danfo's summary. @example await s.describe().compute() */
  describe(): R.Reduced<dfd.Series> { return R.seriesDescribe(this); }
  /** Running sum carried across partitions (missing skipped, kept missing). @example s.cumSum() */
  cumSum(): Series { return R.seriesCumulative(this, "sum"); }
  /** Running product. @example s.cumProd() */
  cumProd(): Series { return R.seriesCumulative(this, "prod"); }
  /** Running maximum. @example s.cumMax() */
  cumMax(): Series { return R.seriesCumulative(this, "max"); }
  /** Running minimum. @example s.cumMin() */
  cumMin(): Series { return R.seriesCumulative(this, "min"); }
  /** The first rows (danfo Series), reading only the partitions needed. @example await s.head(5) */
  head(rows = 5, options: ComputeOptions = {}): Promise<dfd.Series> { return R.seriesHead(this, rows, options); }
  /** The last rows (fresh 0..n-1 index). @example await s.tail(5) */
  tail(rows = 5, options: ComputeOptions = {}): Promise<dfd.Series> { return R.seriesHead(this, rows, options, true); }
  /** Rows, lazily. @example await s.length.compute() */
  get length(): R.Scalar<number> { return R.seriesLength(this); }

  // shuffles (verbs/sort.ts, verbs/nlargest.ts, verbs/drop-duplicates.ts) — one-line delegating methods
  /** Sorted values (stable, nulls last). Differences from danfo: index restarts at 0. @example s.sortValues({ ascending: false }) */
  sortValues(options?: { ascending?: boolean; inplace?: boolean }): Series { return seriesSortValues(this, options); }
  /** The n largest values, without a full sort. Not in danfo. @example await s.nLargest(3).compute() */
  nLargest(n = 5): Series { return seriesTop(this, n, true); }
  /** The n smallest values. Not in danfo. @example await s.nSmallest(3).compute() */
  nSmallest(n = 5): Series { return seriesTop(this, n, false); }
  /** Values without duplicates (danfo's keep "first" | "last"). @example s.dropDuplicates({ keep: "last" }) */
  dropDuplicates(options?: { keep?: "first" | "last"; inplace?: boolean; splitOut?: number }): Series { return seriesDropDuplicates(this, options); }

  /** The structure (name, dtype, npartitions, tasks) as HTML, as `tk.display(s)` shows it. Not in danfo (Dask's `_repr_html_`). */
  reprHTML(): string { return seriesRepr.html(this); }
  /** The structure as text for `console.log(s)`; a tslab cell ending in `s` also shows `reprHTML()`. */
  [inspect.custom](depth: number, options: InspectOptions): string { return seriesRepr.inspect(this, depth, options); }

  /** A picture of this collection's task graph (SVG text; options as in `tk.visualize`). */
  visualize(options: VisualizeOptions = {}): Promise<string> { return visualize(this, options); }

  toString(): string {
    return `Series(${this.#name}: ${this.dtype}, npartitions=${this.npartitions})`;
  }
}

/** An error for a danfo method that cannot work chunked; suggests computing first. */
export function notChunked(method: string, example: string): ValidationError {
  return new ValidationError(
    `${method} needs the whole data in memory, which a chunked collection does not have. ` +
      `Compute first (only if the result fits in memory): ${example}`,
    { code: "ERR_NOT_CHUNKED" },
  );
}

function noInplace(options: { inplace?: boolean } | undefined, method: string): void {
  if (options?.inplace) {
    throw new ValidationError(`${method}({ inplace: true }) is not supported: tusk collections are immutable. Rebind instead: s = s.${method}(…)`, { code: "ERR_INPLACE" });
  }
}
export { noInplace };

type Build = (method: string, args: unknown[]) => Series;

/** danfo's `str` methods (JavaScript's String methods per value). */
export class StringAccessor {
  readonly #build: Build;
  /** @internal */
  constructor(build: Build) { this.#build = build; }
  /** @example s.str.toLowerCase() */ toLowerCase(): Series { return this.#build("toLowerCase", []); }
  /** @example s.str.toUpperCase() */ toUpperCase(): Series { return this.#build("toUpperCase", []); }
  /** First letter upper case, the rest lower case. @example s.str.capitalize() */ capitalize(): Series { return this.#build("capitalize", []); }
  /** @example s.str.charAt(0) */ charAt(index = 0): Series { return this.#build("charAt", [index]); }
  /** Appends (position 1) or prepends (0) a string. @example s.str.concat("!", 1) */
  concat(other: string, position = 1): Series {
    if (Array.isArray(other)) throw new ValidationError("str.concat with an array is not supported on a chunked Series; concatenate two Series with s.str.concat on a computed Series, or use apply");
    return this.#build("concat", [other, position]);
  }
  /** @example s.str.startsWith("a") */ startsWith(str = ""): Series { return this.#build("startsWith", [str]); }
  /** @example s.str.endsWith("a") */ endsWith(str = ""): Series { return this.#build("endsWith", [str]); }
  /** @example s.str.includes("a") */ includes(str = ""): Series { return this.#build("includes", [str]); }
  /** @example s.str.indexOf("a") */ indexOf(str = ""): Series { return this.#build("indexOf", [str]); }
  /** @example s.str.lastIndexOf("a") */ lastIndexOf(str = ""): Series { return this.#build("lastIndexOf", [str]); }
  /** Replaces the first occurrence. @example s.str.replace("a", "b") */ replace(searchValue = "", replaceValue = ""): Series { return this.#build("replace", [searchValue, replaceValue]); }
  /** @example s.str.repeat(2) */ repeat(num = 1): Series { return this.#build("repeat", [num]); }
  /** @example s.str.search("a") */ search(str = ""): Series { return this.#build("search", [str]); }
  /** @example s.str.slice(0, 2) */ slice(startIndex = 0, endIndex = 1): Series { return this.#build("slice", [startIndex, endIndex]); }
  /** The parts joined by "," (what danfo shows). @example s.str.split(" ") */ split(splitVal = " "): Series { return this.#build("split", [splitVal]); }
  /** @example s.str.substr(0, 2) */ substr(startIndex = 0, num = 1): Series { return this.#build("substr", [startIndex, num]); }
  /** @example s.str.substring(0, 2) */ substring(startIndex = 0, endIndex = 1): Series { return this.#build("substring", [startIndex, endIndex]); }
  /** @example s.str.trim() */ trim(): Series { return this.#build("trim", []); }
  /** `value + joinChar + valToJoin`, as danfo. @example s.str.join("x", "-") */ join(valToJoin = "", joinChar = " "): Series { return this.#build("join", [valToJoin, joinChar]); }
  /** Length of each string. @example s.str.len() */ len(): Series { return this.#build("len", []); }
}

/** danfo's `dt` methods (UTC). */
export class DatetimeAccessor {
  readonly #build: (method: string) => Series;
  /** @internal */
  constructor(build: (method: string) => Series) { this.#build = build; }
  /** @example s.dt.year() */ year(): Series { return this.#build("year"); }
  /** 0-based, as danfo. @example s.dt.month() */ month(): Series { return this.#build("month"); }
  /** @example s.dt.dayOfMonth() */ dayOfMonth(): Series { return this.#build("dayOfMonth"); }
  /** Sunday = 0. @example s.dt.dayOfWeek() */ dayOfWeek(): Series { return this.#build("dayOfWeek"); }
  /** @example s.dt.hours() */ hours(): Series { return this.#build("hours"); }
  /** @example s.dt.minutes() */ minutes(): Series { return this.#build("minutes"); }
  /** @example s.dt.seconds() */ seconds(): Series { return this.#build("seconds"); }
  /** @example s.dt.monthName() */ monthName(): Series { return this.#build("monthName"); }
  /** @example s.dt.dayOfWeekName() */ dayOfWeekName(): Series { return this.#build("dayOfWeekName"); }
  /** en-US date and time text in UTC (danfo: local time). @example s.dt.date() */ date(): Series { return this.#build("date"); }
}

export { assertMask };
