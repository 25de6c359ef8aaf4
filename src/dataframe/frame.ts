/**
 * A lazy, partitioned DataFrame with danfo.js's API. It holds an immutable frame
 * expression (./expr/frame-expr.ts) that is optimized (projection pushdown, fusion of
 * row-wise steps) and lowered to a task graph when computed.
 *
 * Differences from danfo (all methods): a computed result gets a fresh 0..n-1 index
 * (partitions store no index; like Dask, which restarts the index per partition, but
 * tusk renumbers the whole result); nulls propagate through arithmetic; `inplace: true`
 * is rejected (rebind the variable); methods that need the whole data at once
 * (`iat`, `at`, `transpose`, `T`, `dropNa({ axis: 0 })`, `apply({ axis: 0 })`) say so and
 * suggest `compute()` first.
 */
import type * as dfd from "danfojs-node";
import type { Table } from "apache-arrow";
import { inspect, type InspectOptions } from "node:util";
import { frameRepr } from "./repr.js";
import { ValidationError } from "../errors.js";
import { TUSK, type Collection, type CollectionSpec } from "../graph/collection.js";
import { computeOne, type ComputeOptions } from "../graph/compute.js";
import { visualize, type VisualizeOptions } from "../diagnostics/visualize.js";
import { LayeredGraph, layer } from "../graph/graph.js";
import { keyName, makeKey, makeName, type Key } from "../graph/key.js";
import { shipFunction } from "../graph/shipped-function.js";
import { lit, ref, task, list } from "../graph/task.js";
import { loadDanfo, partitionsToDanfo } from "./danfo.js";
import { align, dtypeMap, filterExpr, passThrough, selectExpr } from "./expr/build.js";
import { assertMask, col, litValue, resultDtype, type ColExpr, type ColFn, type ScalarValue } from "./expr/column.js";
import { exprToken, lengthsOf, npartitionsOf, type FrameExpr, type SourceExpr } from "./expr/frame-expr.js";
import { lowerFrame } from "./expr/lower.js";
import { danfoDtype, getColumn, isNumeric, parseDtype, type Dtype, type FrameMeta } from "./meta.js";
import { toArrowTable } from "./edges.js";
import "./kernels/rowwise.js";
import type { Partition } from "./partition.js";
import { Series, inferFnDtype, noInplace, notChunked, seriesParts, type ApplyOptions } from "./series.js";
import * as R from "./verbs/methods.js";
import { dropDuplicates, type DropDuplicatesOptions } from "./verbs/drop-duplicates.js";
import { nTop } from "./verbs/nlargest.js";
import { sortValues, type SortValuesOptions } from "./verbs/sort.js";
import * as SI from "./verbs/set-index.js";

/** Options of `mapPartitions`. */
export interface MapPartitionsOptions {
  /** Extra arguments passed after the partition: `fn(part, ...args, partitionIndex)`. */
  args?: readonly unknown[];
  /** Columns and dtypes the function returns (danfo labels); default: the input's. */
  meta?: Record<string, string> | FrameMeta;
  /** Give the function an Arrow RecordBatch instead of a danfo DataFrame. */
  arrow?: boolean;
}

/** Options of `fromGraph`. */
export interface FromGraphOptions {
  divisions?: readonly unknown[];
  /** Rows per partition, when known. */
  lengths?: readonly number[];
}

type Arith = "add" | "sub" | "mul" | "div" | "mod" | "pow" | "divNoNan" | "gt" | "ge" | "lt" | "le" | "eq" | "ne";

/**
 * A lazy DataFrame.
 * @example
 * const df = tk.fromDanfo(new dfd.DataFrame({ fare: [5, 12], tip: [1, 2] }), { npartitions: 2 });
 * const out = await df.query(df.column("fare").gt(10)).addColumn("total", df.column("fare").add(df.column("tip"))).compute();
 */
export class DataFrame implements Collection<dfd.DataFrame> {
  readonly #expr: FrameExpr;

  /** @internal Use `tk.fromDanfo`, `tk.readCSV`, `DataFrame.fromGraph` or `DataFrame.fromSource`. */
  constructor(expr: FrameExpr) {
    this.#expr = expr;
  }

  /**
   * A frame whose partition i is computed by `keys[i]` (each value a Partition of `meta`).
   * @example DataFrame.fromGraph(graph, keys, frameMeta([["x", "float64"]]))
   */
  static fromGraph(graph: LayeredGraph, keys: readonly Key[], meta: FrameMeta, options: FromGraphOptions = {}): DataFrame {
    return new DataFrame({ kind: "graph", graph, keys, meta, ...options });
  }

  /**
   * A frame from a source expression (readers plug in here; the optimizer asks the
   * source for only the columns used).
   * @example DataFrame.fromSource({ kind: "source", name: "read-csv", meta, npartitions, token, lower })
   */
  static fromSource(source: SourceExpr): DataFrame {
    return new DataFrame(source);
  }

  /** The expression (for the verbs modules). */
  get expr(): FrameExpr { return this.#expr; }
  /** Stored columns and dtypes. */
  get meta(): FrameMeta { return this.#expr.meta; }
  /** Column names. @example df.columns // ["fare", "tip"] */
  get columns(): string[] { return this.#expr.meta.columns.map((c) => c.name); }
  /** danfo's dtype labels ("float32" for the float64 tusk stores). @example df.dtypes // ["float32", "string"] */
  get dtypes(): string[] { return this.#expr.meta.columns.map((c) => danfoDtype(c.dtype)); }
  /** Number of partitions. */
  get npartitions(): number { return npartitionsOf(this.#expr); }

  /**
   * The optimized, lowered partitions, optionally with only some columns materialized.
   * @example const { graph, keys, meta } = df.toPartitions(["fare"]);
   */
  toPartitions(columns?: readonly string[]): { graph: LayeredGraph; keys: Key[]; meta: FrameMeta } {
    if (columns) for (const c of columns) getColumn(this.meta, c);
    const { graph, keys, meta } = lowerFrame(this.#expr, columns);
    return { graph, keys, meta };
  }

  [TUSK](): CollectionSpec<dfd.DataFrame> {
    const { graph, keys, meta } = this.toPartitions();
    return {
      graph, keys,
      finalize: async (values) => SI.indexDanfo(await partitionsToDanfo(values as Partition[], meta), this),
      rebuild: (g) => SI.withInfo(DataFrame.fromGraph(g, keys, meta), SI.partitionInfo(this)),
    };
  }

  /**
   * Computes the frame: a danfo DataFrame with a fresh 0..n-1 index.
   * @example const out = await df.compute();
   */
  compute(options: ComputeOptions = {}): Promise<dfd.DataFrame> {
    // Start importing danfo (it loads TensorFlow.js, ~1-2 s) while the graph runs on the
    // worker threads; finalize awaits the same promise and reports a failure.
    loadDanfo().catch(() => undefined);
    return computeOne(this, options);
  }

  /**
   * Computes the frame as an Arrow Table (one batch per partition; datetimes as
   * Timestamp(ms), strings dictionary-encoded).
   * @example const table = await df.toArrow();
   */
  async toArrow(options: ComputeOptions = {}): Promise<Table> {
    const { graph, keys, meta } = this.toPartitions();
    const parts = await computeOne<Partition[]>({
      [TUSK]: () => ({ graph, keys, finalize: (v: unknown[]) => v as Partition[], rebuild: () => { throw new ValidationError("toArrow cannot be persisted"); } }),
    }, options);
    return toArrowTable(parts, meta);
  }

  #series(name: string): Series {
    const c = getColumn(this.meta, name, "the DataFrame");
    return new Series(this.#expr, col(name), name, c.dtype);
  }

  /**
   * One column as a Series.
   * @example df.column("fare")
   */
  column(name: string): Series {
    return this.#series(name);
  }

  #select(cols: ReadonlyArray<readonly [string, ColExpr]>, label: string, frame: FrameExpr = this.#expr): DataFrame {
    return new DataFrame(selectExpr(frame, cols, label));
  }

  #filter(mask: Series, label: string): DataFrame {
    const m = seriesParts(mask);
    assertMask(m.dtype, label === "query" ? "query" : "loc({ rows })");
    const { frame, exprs } = align([{ frame: this.#expr, expr: col("\u0000") }, { frame: m.frame, expr: m.expr }], label, { rebase: true });
    if (frame === this.#expr) return new DataFrame(filterExpr(this.#expr, m.expr, label));
    // Zipped: column c of this frame is input 0's.
    const zipped = filterExpr(frame, exprs[1]!, label);
    const rename = (name: string): string => (exprs[0]!.t === "col" ? exprs[0]!.name.replace("\u0000", name) : name);
    return this.#select(passThrough(this.meta, rename), label, zipped);
  }

  /**
   * Rows where a boolean Series is true.
   * Differences from danfo: a boolean array is accepted only while partition lengths are known (fromDanfo/fromArrow); the index restarts at 0.
   * @example df.query(df.column("fare").gt(10))
   */
  query(condition: Series | readonly boolean[], options?: { inplace?: boolean }): DataFrame {
    noInplace(options, "query");
    return this.#filter(this.#maskOf(condition, "query"), "query");
  }

  /** A boolean Series from a Series, or from an array when the partition lengths are known. */
  #maskOf(condition: Series | readonly boolean[], what: string): Series {
    if (condition instanceof Series) return condition;
    if (Array.isArray(condition) && lengthsOf(this.#expr)) {
      if (condition.some((v) => typeof v !== "boolean")) throw new ValidationError(`${what} needs a boolean mask; the array holds non-boolean values`, { code: "ERR_NOT_BOOLEAN" });
      return this.#arraySeries("\u0003mask", condition, "boolean");
    }
    throw new ValidationError(
      `${what} needs a boolean Series built from the frame, e.g. df.${what === "query" ? "query" : "loc"}(df.column("fare").gt(10)). ` +
        `An array of booleans works only while each partition's row count is known (frames from fromDanfo/fromArrow before any filter)`,
      { code: "ERR_NOT_BOOLEAN" },
    );
  }

  /**
   * Selects rows by a boolean mask and/or columns by name.
   * @example df.loc({ rows: df.column("fare").gt(10), columns: ["fare", "tip"] })
   */
  loc({ rows, columns }: { rows?: Series | readonly boolean[] | readonly (string | number)[] | string; columns?: readonly string[] } = {}): DataFrame {
    let out: DataFrame = this;
    if (rows !== undefined) {
      if (typeof rows === "string" || (Array.isArray(rows) && rows.some((v) => typeof v !== "boolean"))) out = SI.locByIndex(this, rows as string | readonly unknown[]);
      else out = out.#filter(this.#maskOf(rows as Series | readonly boolean[], "loc({ rows })"), "loc");
    }
    if (columns !== undefined) {
      const cols = columns.map((c) => { getColumn(this.meta, c, "the DataFrame"); return [c, col(c)] as const; });
      out = out.#select(cols, "loc", out.#expr);
    }
    return out;
  }

  /**
   * Selects rows by position and/or columns by position. Rows: a range string
   * `"start:end"` (end exclusive) or an increasing array of positions; columns: an array
   * of positions or a `"start:end"` string. Needs each partition's length: known for
   * frames from fromDanfo/fromArrow; otherwise computed per partition first (one extra
   * pass over the partitions, each partition read once).
   * @example df.iloc({ rows: "10:20", columns: [0, 2] })
   */
  iloc({ rows, columns }: { rows?: string | readonly number[]; columns?: string | readonly number[] } = {}): DataFrame {
    let out: DataFrame = this;
    if (columns !== undefined) {
      const names = this.columns;
      const pos = positions(columns, names.length, "iloc columns");
      out = out.#select(pos.map((p) => [names[p]!, col(names[p]!)] as const), "iloc");
    }
    if (rows !== undefined) out = out.#ilocRows(positions(rows, Infinity, "iloc rows"), rows);
    return out;
  }

  #ilocRows(pos: number[], spec: string | readonly number[]): DataFrame {
    for (let i = 1; i < pos.length; i++) {
      if (pos[i]! <= pos[i - 1]!) throw notChunked(`iloc({ rows: [${spec.toString().slice(0, 40)}] }) with positions out of order`, "(await df.compute()).iloc({ rows })");
    }
    const { graph, keys, meta } = this.toPartitions();
    const name = makeName("iloc", exprToken(this.#expr), pos.length > 64 ? [pos[0], pos.length, pos[pos.length - 1]] : pos, pos.length);
    const known = lengthsOf(this.#expr);
    let lenKeys: Key[] = [];
    const tasks = [];
    if (!known) {
      const lname = makeName("partition-length", exprToken(this.#expr));
      lenKeys = keys.map((_, i) => makeKey(lname, i));
      tasks.push(...keys.map((k, i) => task(lenKeys[i]!, "dataframe.length", ref(k))));
    }
    const outKeys = keys.map((_, i) => makeKey(name, i));
    keys.forEach((k, i) => {
      const before = known ? lit(known.slice(0, i)) : list(lenKeys.slice(0, i).map(ref));
      tasks.push(task(outKeys[i]!, "dataframe.iloc-take", ref(k), before, lit(pos)));
    });
    const g = LayeredGraph.from(layer(name, tasks, [...new Set(keys.map(keyName))]), graph);
    return DataFrame.fromGraph(g, outKeys, meta);
  }

  /**
   * Adds (or replaces) a column from a Series of this frame (or one partitioned alike),
   * or a scalar. Arrays need known partition lengths (frames from fromDanfo/fromArrow).
   * @example df.addColumn("total", df.column("fare").add(df.column("tip")))
   */
  addColumn(column: string, values: Series | ScalarValue | readonly ScalarValue[], options: { inplace?: boolean; atIndex?: number | string } = {}): DataFrame {
    noInplace(options, "addColumn");
    let s: Series;
    if (values instanceof Series) s = values;
    else if (Array.isArray(values)) s = this.#arraySeries(column, values);
    else {
      const e = litValue(values as ScalarValue);
      s = new Series(this.#expr, e, column, (e as { dtype: Dtype }).dtype);
    }
    const p = seriesParts(s);
    const { frame, exprs } = align([{ frame: this.#expr, expr: col("\u0000") }, { frame: p.frame, expr: p.expr }], `addColumn(${JSON.stringify(column)})`, { rebase: true });
    const rename = (name: string): string => (exprs[0]!.t === "col" ? exprs[0]!.name.replace("\u0000", name) : name);
    const cols: Array<readonly [string, ColExpr]> = passThrough(this.meta, frame === this.#expr ? undefined : rename);
    const existing = cols.findIndex(([n]) => n === column);
    if (existing >= 0) cols[existing] = [column, exprs[1]!];
    else {
      let at = cols.length;
      if (options.atIndex !== undefined) at = typeof options.atIndex === "number" ? options.atIndex : this.columns.indexOf(options.atIndex);
      if (at < 0 || at > cols.length) throw new ValidationError(`addColumn: atIndex ${JSON.stringify(options.atIndex)} is not a column position or name of the frame`);
      cols.splice(at, 0, [column, exprs[1]!]);
    }
    return this.#select(cols, "add-column", frame);
  }

  #arraySeries(name: string, values: readonly ScalarValue[], declared?: Dtype): Series {
    const lengths = lengthsOf(this.#expr);
    if (!lengths) {
      throw new ValidationError(`addColumn with an array needs to know how many rows each partition has, which this frame does not (it was read or filtered). Add a Series computed from the frame's columns instead, e.g. df.addColumn("${name}", df.column("x").mul(2))`);
    }
    const total = lengths.reduce((a, b) => a + b, 0);
    if (values.length !== total) throw new ValidationError(`addColumn: the array has ${values.length} values, the frame has ${total} rows`);
    const first = values.find((v) => v !== null && v !== undefined);
    const dtype: Dtype = declared ?? (typeof first === "string" ? "string" : typeof first === "boolean" ? "boolean" : values.every((v) => v === null || (typeof v === "number" && Number.isInteger(v) && Math.abs(v) < 2 ** 31)) ? "int32" : "float64");
    const meta: FrameMeta = { columns: [{ name, dtype }] };
    const lname = makeName("from-array", name, values);
    let start = 0;
    const keys: Key[] = [];
    const tasks = lengths.map((n, i) => {
      const k = makeKey(lname, i); keys.push(k);
      const t = task(k, "dataframe.from-values", lit(meta), lit([values.slice(start, start + n)]));
      start += n;
      return t;
    });
    return Series.fromGraph(new LayeredGraph([layer(lname, tasks)]), keys, meta.columns[0]!, { lengths });
  }

  /**
   * Drops columns. Differences from danfo: dropping rows by index label is not supported (use query).
   * @example df.drop({ columns: ["tip"] })
   */
  drop(options: { columns?: string | readonly string[]; index?: readonly (string | number)[]; inplace?: boolean } = {}): DataFrame {
    noInplace(options, "drop");
    if (options.index !== undefined) throw notChunked("drop({ index })", "df.query(mask) to drop rows lazily, or (await df.compute()).drop({ index })");
    const drop = typeof options.columns === "string" ? [options.columns] : options.columns ?? [];
    for (const c of drop) getColumn(this.meta, c, "the DataFrame");
    const gone = new Set(drop);
    return this.#select(passThrough({ columns: this.meta.columns.filter((c) => !gone.has(c.name)) }), "drop");
  }

  /**
   * Renames columns with danfo's mapper `{ old: "new" }` (axis 1, the default).
   * @example df.rename({ fare: "fare_usd" })
   */
  rename(mapper: Record<string, string | number>, options: { axis?: 0 | 1; inplace?: boolean } = {}): DataFrame {
    noInplace(options, "rename");
    if ((options.axis ?? 1) === 0) throw notChunked("rename({ axis: 0 }) (index labels)", "(await df.compute()).rename(mapper, { axis: 0 })");
    for (const old of Object.keys(mapper)) getColumn(this.meta, old, "the DataFrame");
    return this.#select(this.meta.columns.map((c) => [String(mapper[c.name] ?? c.name), col(c.name)] as const), "rename");
  }

  /**
   * Converts one column to a dtype (danfo's labels).
   * @example df.asType("passenger_count", "float32")
   */
  asType(column: string, dtype: "float32" | "int32" | "string" | "boolean" | "datetime", options: { inplace?: boolean } = {}): DataFrame {
    noInplace(options, "asType");
    getColumn(this.meta, column, "the DataFrame");
    const d = parseDtype(dtype, "asType's dtype");
    return this.#mapColumns((c) => (c === column ? { t: "fn", fn: "asType", args: [col(c)], params: { dtype: d }, dtype: d } : col(c)), "as-type");
  }

  #mapColumns(f: (name: string, dtype: Dtype) => ColExpr, label: string): DataFrame {
    return this.#select(this.meta.columns.map((c) => [c.name, f(c.name, c.dtype)] as const), label);
  }

  /**
   * Fills nulls (and NaN in float columns): one value for all (or `columns`), or one value per column of `columns`.
   * @example df.fillNa(0, { columns: ["tip"] })
   */
  fillNa(values: ScalarValue | readonly ScalarValue[], options: { columns?: readonly string[]; inplace?: boolean } = {}): DataFrame {
    noInplace(options, "fillNa");
    const cols = options.columns ?? this.columns;
    for (const c of cols) getColumn(this.meta, c, "the DataFrame");
    if (Array.isArray(values) && values.length !== cols.length) {
      throw new ValidationError(`fillNa: got ${values.length} values for ${cols.length} columns; give one value per column of { columns }`);
    }
    const valueOf = (c: string): ScalarValue => (Array.isArray(values) ? values[cols.indexOf(c)] : values) as ScalarValue;
    return this.#mapColumns((c, d) => (cols.includes(c) ? { t: "fn", fn: "fillNa", args: [col(c)], params: { value: valueOf(c) }, dtype: d } : col(c)), "fillna");
  }

  /**
   * Drops rows that have a null or NaN in any column (danfo's default, axis 1).
   * Differences from danfo: axis 0 (dropping columns) needs the whole data: compute() first.
   * @example df.dropNa()
   */
  dropNa(options: { axis?: 0 | 1; inplace?: boolean } = {}): DataFrame {
    noInplace(options, "dropNa");
    if ((options.axis ?? 1) === 0) throw notChunked("dropNa({ axis: 0 }) (dropping columns)", "(await df.compute()).dropNa({ axis: 0 })");
    let mask: ColExpr | undefined;
    for (const c of this.columns) {
      const m: ColExpr = { t: "fn", fn: "notNa", args: [col(c)], dtype: "boolean" };
      mask = mask ? { t: "fn", fn: "and", args: [mask, m], dtype: "boolean" } : m;
    }
    if (!mask) return this;
    return new DataFrame(filterExpr(this.#expr, mask, "dropna"));
  }

  /**
   * True where a value is null (or NaN in a float column).
   * @example df.isNa()
   */
  isNa(): DataFrame {
    return this.#mapColumns((c) => ({ t: "fn", fn: "isNa", args: [col(c)], dtype: "boolean" }), "isna");
  }

  /**
   * Replaces `oldValue` by `newValue` in all (or `columns`) columns.
   * @example df.replace("cash", "CASH", { columns: ["payment"] })
   */
  replace(oldValue: ScalarValue, newValue: ScalarValue, options: { columns?: readonly string[]; inplace?: boolean } = {}): DataFrame {
    noInplace(options, "replace");
    const cols = options.columns ?? this.columns;
    for (const c of cols) getColumn(this.meta, c, "the DataFrame");
    return this.#mapColumns((c, d) => (cols.includes(c) ? { t: "fn", fn: "replace", args: [col(c)], params: { oldValue, newValue }, dtype: d } : col(c)), "replace");
  }

  /** Absolute values of every (numeric) column. @example df.abs() */
  abs(options: { inplace?: boolean } = {}): DataFrame {
    noInplace(options, "abs");
    return this.#mapColumns((c, d) => ({ t: "fn", fn: "abs", args: [col(c)], dtype: resultDtype("abs", [d], [`column ${JSON.stringify(c)}`]) }), "abs");
  }

  /** Rounds every numeric column to `dp` decimals (danfo's default 1). @example df.round(2) */
  round(dp = 1, options: { inplace?: boolean } = {}): DataFrame {
    noInplace(options, "round");
    return this.#mapColumns((c, d) => (isNumeric(d) ? { t: "fn", fn: "round", args: [col(c)], params: { dp }, dtype: d } : col(c)), "round");
  }

  #arith(fn: Arith, other: ScalarValue | Series, options: { axis?: 0 | 1; inplace?: boolean } = {}): DataFrame {
    noInplace(options, fn);
    if (other instanceof Series || Array.isArray(other) || (typeof other === "object" && other !== null)) {
      throw new ValidationError(`DataFrame.${fn} with a Series, array or DataFrame is not supported chunked; combine columns instead: df.addColumn("x", df.column("a").${fn}(df.column("b")))`);
    }
    const l = litValue(other);
    return this.#mapColumns((c, d) => {
      const dtype = resultDtype(fn as ColFn, [d, (l as { dtype: Dtype }).dtype], [`column ${JSON.stringify(c)}`, `the value ${JSON.stringify(other)}`]);
      return { t: "fn", fn: fn as ColFn, args: [col(c), l], dtype };
    }, fn);
  }

  /** Adds a scalar to every column. @example df.add(1) */
  add(other: ScalarValue, options?: { axis?: 0 | 1; inplace?: boolean }): DataFrame { return this.#arith("add", other, options); }
  /** @example df.sub(1) */ sub(other: ScalarValue, options?: { axis?: 0 | 1; inplace?: boolean }): DataFrame { return this.#arith("sub", other, options); }
  /** @example df.mul(2) */ mul(other: ScalarValue, options?: { axis?: 0 | 1; inplace?: boolean }): DataFrame { return this.#arith("mul", other, options); }
  /** @example df.div(2) */ div(other: ScalarValue, options?: { axis?: 0 | 1; inplace?: boolean }): DataFrame { return this.#arith("div", other, options); }
  /** @example df.mod(2) */ mod(other: ScalarValue, options?: { axis?: 0 | 1; inplace?: boolean }): DataFrame { return this.#arith("mod", other, options); }
  /** @example df.pow(2) */ pow(other: ScalarValue, options?: { axis?: 0 | 1; inplace?: boolean }): DataFrame { return this.#arith("pow", other, options); }
  /** Quotient, 0 where dividing by 0. @example df.divNoNan(2) */ divNoNan(other: ScalarValue, options?: { axis?: 0 | 1; inplace?: boolean }): DataFrame { return this.#arith("divNoNan", other, options); }
  /** @example df.gt(0) */ gt(other: ScalarValue, options?: { axis?: 0 | 1 }): DataFrame { return this.#arith("gt", other, options); }
  /** @example df.ge(0) */ ge(other: ScalarValue, options?: { axis?: 0 | 1 }): DataFrame { return this.#arith("ge", other, options); }
  /** @example df.lt(0) */ lt(other: ScalarValue, options?: { axis?: 0 | 1 }): DataFrame { return this.#arith("lt", other, options); }
  /** @example df.le(0) */ le(other: ScalarValue, options?: { axis?: 0 | 1 }): DataFrame { return this.#arith("le", other, options); }
  /** @example df.eq(0) */ eq(other: ScalarValue, options?: { axis?: 0 | 1 }): DataFrame { return this.#arith("eq", other, options); }
  /** @example df.ne(0) */ ne(other: ScalarValue, options?: { axis?: 0 | 1 }): DataFrame { return this.#arith("ne", other, options); }

  /**
   * Applies a closure-free function to every value of every column (on strings: once
   * per distinct value). Output dtypes are inferred per column from a sample call
   * unless `{ dtype }` is given.
   * @example df.applyMap((x) => x * 2)
   */
  applyMap(fn: (value: never, ...args: never[]) => unknown, options: ApplyOptions & { inplace?: boolean } = {}): DataFrame {
    noInplace(options, "applyMap");
    const what = "the function given to applyMap";
    const ref = shipFunction(fn, what, "df.applyMap((x, k) => x * k, { args: [k] })");
    const args = options.args ?? [];
    return this.#mapColumns((c, d) => {
      const dtype = options.dtype ? parseDtype(options.dtype) : inferFnDtype(fn as (...a: unknown[]) => unknown, d, args, `${what} (column ${JSON.stringify(c)})`);
      return { t: "fn", fn: "apply", args: [col(c)], params: { fn: ref, args }, dtype };
    }, "apply-map");
  }

  /**
   * danfo's row-wise apply (axis 1): `fn(row values array, ...args)` per row, giving a
   * Series. Differences from danfo: axis 0 (per whole column) needs the whole data —
   * use the reductions or compute() first.
   * @example df.apply((row) => row[0] + row[1], { axis: 1 })
   */
  apply(fn: (row: never[], ...args: never[]) => unknown, options: ApplyOptions & { axis?: 0 | 1 } = {}): DataFrame | Series {
    if ((options.axis ?? 1) === 0) throw notChunked("apply({ axis: 0 })", "(await df.compute()).apply(fn, { axis: 0 })");
    const what = "the function given to DataFrame.apply";
    const ref = shipFunction(fn, what, "df.apply((row, k) => row[0] * k, { axis: 1, args: [k] })");
    const args = options.args ?? [];
    let dtype: Dtype;
    if (options.dtype) dtype = parseDtype(options.dtype);
    else {
      const SAMPLE: Record<Dtype, unknown> = { float64: 1.5, int32: 1, string: "a", boolean: true, datetime: new Date(0) };
      const row = this.meta.columns.map((c) => SAMPLE[c.dtype]);
      dtype = inferFnDtype(((_: unknown, ...a: unknown[]) => (fn as (...x: unknown[]) => unknown)(row, ...a)), "float64", args, what);
    }
    const meta: FrameMeta = { columns: [{ name: "0", dtype }] };
    const frame: FrameExpr = { kind: "blockwise", input: this.#expr, op: "dataframe.apply-rows", args: [ref, args, meta], meta, label: "apply", keepsLength: true };
    return new Series(frame, col("0"), "0", dtype);
  }

  /**
   * Runs a closure-free function on each partition: it receives a danfo DataFrame (or an
   * Arrow RecordBatch with `{ arrow: true }`), then `...args`, then the partition index,
   * and returns a danfo DataFrame/Series or Arrow batch/table whose columns and dtypes
   * must match `meta` (default: the input's) — checked on every partition
   * (MetadataMismatchError with a Found/Expected table).
   * @example df.mapPartitions((part, k) => part.addColumn("y", part.column("x").mul(k)), { args: [2], meta: { x: "float32", y: "float32" } })
   */
  mapPartitions(fn: (part: never, ...args: never[]) => unknown, options: MapPartitionsOptions = {}): DataFrame {
    const ref = shipFunction(fn, "the function given to mapPartitions", "df.mapPartitions((part, k) => …, { args: [k] })");
    const meta = normalizeMeta(options.meta, this.meta);
    const n = this.npartitions;
    return new DataFrame({
      kind: "blockwise", input: this.#expr, op: "dataframe.map-partitions",
      args: [ref, options.args ?? [], meta, options.arrow ?? false], meta, label: "map-partitions",
      perPartition: Array.from({ length: n }, (_, i) => i),
    });
  }

  /** The frame itself: tusk collections are immutable, so a copy is free. @example df.copy() */
  copy(): DataFrame { return this; }

  /**
   * The columns whose dtype is one of `include` (danfo's labels).
   * @example df.selectDtypes(["float32", "int32"])
   */
  selectDtypes(include: readonly string[]): DataFrame {
    const wanted = new Set(include.map((d) => parseDtype(d, "selectDtypes' include")));
    return this.#select(passThrough({ columns: this.meta.columns.filter((c) => wanted.has(c.dtype)) }), "select-dtypes");
  }

  /**
   * danfo's resetIndex: the index set by `setIndex` is forgotten (its column removed when
   * setIndex had `drop: true`, as danfo); computed results get a fresh 0..n-1 index.
   * @example df.setIndex("id").resetIndex()
   */
  resetIndex(options: { inplace?: boolean } = {}): DataFrame {
    noInplace(options, "resetIndex");
    return SI.resetIndex(this);
  }

  // index and divisions (verbs/set-index.ts)
  /**
   * Indexed by a column (danfo's `setIndex({ column, drop })`, or `setIndex(col, options)`):
   * sorted and range-partitioned by it (sampled divisions, or `{ divisions }`, or no
   * shuffle with `{ sorted: true }`). Differences from danfo: repeated index values are
   * allowed (danfo's index must be unique: compute then keeps the column and a 0..n-1 index); the
   * index column stays in `columns` until computed; `{ index: [...] }` needs compute() first.
   * @example df.setIndex("id") ; df.setIndex({ column: "id", drop: true }) ; df.setIndex("t", { sorted: true })
   */
  setIndex(column: string | SI.SetIndexOptions, options?: SI.SetIndexOptions): DataFrame { return SI.setIndex(this, column, options); }
  /** danfo's sortIndex (an indexed frame is in index order already; descending sorts by the index column). @example df.setIndex("id").sortIndex({ ascending: false }) */
  sortIndex(options?: { ascending?: boolean; inplace?: boolean }): DataFrame { return SI.sortIndex(this, options); }
  /** Dask's divisions: npartitions + 1 index values (null where open), or undefined while unknown. Not in danfo. @example df.setIndex("id", { divisions: [0, 10, 20] }).divisions */
  get divisions(): unknown[] | undefined { return SI.divisionsOf(this); }
  /** True when the divisions are known (Dask's known_divisions). @example df.knownDivisions */
  get knownDivisions(): boolean { return SI.divisionsOf(this) !== undefined; }
  /** The frame with its divisions computed (Dask's compute_current_divisions). @example const d = await df.setIndex("id").computeDivisions() */
  computeDivisions(options: ComputeOptions = {}): Promise<DataFrame> { return SI.computeDivisions(this, options); }
  /** An indexed frame range-shuffled into the partitions of `divisions` (Dask's repartition(divisions=)). @example df.repartition({ divisions: [0, 100, 200] }) */
  repartition(options: { divisions?: readonly (string | number)[] }): DataFrame { return SI.repartition(this, options); }

  /** Not available chunked: `iat` needs a row's position in the whole data. */
  iat(_row: number, _column: number): never {
    throw notChunked("iat", "(await df.head(n)).iat(row, column) for a row near the start, or (await df.compute()).iat(row, column)");
  }
  /** Not available chunked: danfo's append adds rows at index labels; use `tk.concat({ dfList: [a, b], axis: 0 })` to stack frames lazily. */
  append(_newValues: unknown, _index: unknown, _options?: { inplace?: boolean }): never {
    throw notChunked("append", "tk.concat({ dfList: [df, other], axis: 0 }) to stack frames lazily, or (await df.compute()).append(values, index)");
  }
  /** Not available chunked yet: the new columns depend on every distinct value of the whole column. */
  getDummies(_options?: unknown): never {
    throw notChunked("getDummies", "(await df.compute()).getDummies(options), or build indicator columns lazily: df.addColumn(\"is_cash\", df.column(\"payment\").eq(\"cash\"))");
  }
  /** Not available chunked: danfo's sample(num) needs every row's position. */
  sample(_num?: number, _options?: { seed?: number }): never {
    throw notChunked("sample", "(await df.head(n)) for the first rows, or (await df.compute()).sample(num)");
  }
  /** Not available chunked: `at` needs the index. */
  at(_row: string | number, _column: string): never {
    throw notChunked("at", "(await df.compute()).at(row, column)");
  }
  /** Not available chunked: transposing makes every partition depend on every row. */
  transpose(_options?: { inplace?: boolean }): never {
    throw notChunked("transpose", "(await df.compute()).transpose()");
  }
  /** Not available chunked (see transpose). */
  get T(): never {
    throw notChunked("T", "(await df.compute()).T");
  }
  /** Not available lazily: values are known only after computing. */
  get values(): never {
    throw notChunked("values", "(await df.compute()).values");
  }

  // reductions (verbs/reductions.ts) — one-line delegating methods go here
  // danfo's default axis is 1 (per row → lazy Series); { axis: 0 } gives per-column results
  // (compute → danfo Series indexed by column). Differences from danfo: see verbs/reductions.ts.
  /** Sum (missing skipped). @example await df.sum({ axis: 0 }).compute() */
  sum<O extends R.ReduceOptions = {}>(options?: O): R.AxisResult<O> { return R.frameReduction(this, "sum", options); }
  /** Mean. @example await df.mean({ axis: 0 }).compute() */
  mean<O extends R.ReduceOptions = {}>(options?: O): R.AxisResult<O> { return R.frameReduction(this, "mean", options); }
  /** Minimum. @example await df.min({ axis: 0 }).compute() */
  min<O extends R.ReduceOptions = {}>(options?: O): R.AxisResult<O> { return R.frameReduction(this, "min", options); }
  /** Maximum. @example await df.max({ axis: 0 }).compute() */
  max<O extends R.ReduceOptions = {}>(options?: O): R.AxisResult<O> { return R.frameReduction(this, "max", options); }
  /** Non-missing values. @example await df.count({ axis: 0 }).compute() */
  count<O extends R.ReduceOptions = {}>(options?: O): R.AxisResult<O> { return R.frameReduction(this, "count", options); }
  /** Sample standard deviation (ddof 1). @example await df.std({ axis: 0 }).compute() */
  std<O extends R.ReduceOptions = {}>(options?: O): R.AxisResult<O> { return R.frameReduction(this, "std", options); }
  /** Sample variance (ddof 1). @example await df.var({ axis: 0 }).compute() */
  var<O extends R.ReduceOptions = {}>(options?: O): R.AxisResult<O> { return R.frameReduction(this, "var", options); }
  /** Exact median. @example await df.median({ axis: 0 }).compute() */
  median<O extends R.ReduceOptions = {}>(options?: O): R.AxisResult<O> { return R.frameReduction(this, "median", options); }
  /** Mode (danfo's `keep` picks among ties). @example await df.mode({ axis: 0 }).compute() */
  mode<O extends R.ReduceOptions & { keep?: number } = {}>(options?: O): R.AxisResult<O> { return R.frameReduction(this, "mode", options); }
  /** Distinct values per column (`nUnique(0)`) or per row (danfo's default 1; null and NaN count once). @example await df.nUnique(0).compute() */
  nUnique(axis: 0 | 1 = 1): R.Reduced<dfd.Series> | Series { return R.frameNUniqueAxis(this, axis); }
  /** Running sum (danfo's default axis 1: across each row; axis 0 carried across partitions). @example df.cumSum({ axis: 0 }) */
  cumSum(options?: { axis?: 0 | 1 }): DataFrame { return R.frameCumulative(this, "sum", options); }
  /** Running product. @example df.cumProd({ axis: 0 }) */
  cumProd(options?: { axis?: 0 | 1 }): DataFrame { return R.frameCumulative(this, "prod", options); }
  /** Running maximum. @example df.cumMax({ axis: 0 }) */
  cumMax(options?: { axis?: 0 | 1 }): DataFrame { return R.frameCumulative(this, "max", options); }
  /** Running minimum. @example df.cumMin({ axis: 0 }) */
  cumMin(options?: { axis?: 0 | 1 }): DataFrame { return R.frameCumulative(this, "min", options); }

  // groupby (verbs/groupby.ts)
  /** Groups rows by key columns. @example await df.groupby(["vendor"]).agg({ fare: "mean" }).compute() */
  groupby(keys: readonly string[] | string): R.GroupBy<DataFrame> { return R.frameGroupby(this, keys); }

  // head / tail / describe / valueCounts (verbs/head-tail.ts, verbs/describe.ts)
  /** The first rows as a danfo DataFrame, reading only the partitions needed. @example await df.head(5) */
  head(rows = 5, options: ComputeOptions = {}): Promise<dfd.DataFrame> { return R.frameHead(this, rows, options); }
  /** The last rows as a danfo DataFrame (fresh 0..n-1 index; danfo keeps the original). @example await df.tail(5) */
  tail(rows = 5, options: ComputeOptions = {}): Promise<dfd.DataFrame> { return R.frameHead(this, rows, options, true); }
  /** danfo's summary (count mean std min median max variance) of non-string columns. @example await df.describe().compute() */
  describe(): R.Reduced<dfd.DataFrame> { return R.frameDescribe(this); }
  /** Rows, lazily (danfo has `shape[0]`). @example await df.length.compute() */
  get length(): R.Scalar<number> { return R.frameLength(this); }
  /** `[rows, columns]`. Differences from danfo: a method returning a promise (danfo: a property). @example const [rows, cols] = await df.shape() */
  shape(options: ComputeOptions = {}): Promise<[number, number]> { return R.frameShape(this, options); }

  // shuffles (verbs/sort.ts, verbs/nlargest.ts, verbs/drop-duplicates.ts; tk.merge/tk.concat) — one-line delegating methods
  /** Sorted by one or several columns (stable, nulls last; sampled divisions + range shuffle). Differences from danfo: several columns allowed; index restarts at 0. @example df.sortValues("fare", { ascending: false }) */
  sortValues(by: string | readonly string[], options?: SortValuesOptions): DataFrame { return sortValues(this, by, options); }
  /** The n rows with the largest values of `columns`, without a full sort (ties: first row wins, as pandas). Not in danfo. @example await df.nLargest(100, "fare").compute() */
  nLargest(n: number, columns: string | readonly string[]): DataFrame { return nTop(this, n, columns, true); }
  /** The n rows with the smallest values of `columns`. Not in danfo. @example await df.nSmallest(10, ["fare", "tip"]).compute() */
  nSmallest(n: number, columns: string | readonly string[]): DataFrame { return nTop(this, n, columns, false); }
  /** Rows without duplicates over `subset` (pandas' drop_duplicates; danfo has it on Series only). @example df.dropDuplicates({ subset: ["vendor"], keep: "last" }) */
  dropDuplicates(options?: DropDuplicatesOptions): DataFrame { return dropDuplicates(this, options); }

  /** The structure (columns × dtypes, npartitions, tasks) as HTML, as `tk.display(df)` shows it. Not in danfo (Dask's `_repr_html_`). */
  reprHTML(): string { return frameRepr.html(this); }
  /** The structure as text for `console.log(df)`; a tslab cell ending in `df` also shows `reprHTML()`. */
  [inspect.custom](depth: number, options: InspectOptions): string { return frameRepr.inspect(this, depth, options); }

  /** A picture of this collection's task graph (SVG text; options as in `tk.visualize`). */
  visualize(options: VisualizeOptions = {}): Promise<string> { return visualize(this, options); }

  toString(): string {
    return `DataFrame(npartitions=${this.npartitions}, ${this.meta.columns.map((c) => `${c.name}: ${danfoDtype(c.dtype)}`).join(", ")})`;
  }
}


function normalizeMeta(meta: MapPartitionsOptions["meta"], fallback: FrameMeta): FrameMeta {
  if (meta === undefined) return fallback;
  if ("columns" in meta && Array.isArray(meta.columns)) return meta as FrameMeta;
  return { columns: Object.entries(meta as Record<string, string>).map(([name, d]) => ({ name, dtype: parseDtype(d, `meta of column ${JSON.stringify(name)}`) })) };
}

function positions(spec: string | readonly number[], n: number, what: string): number[] {
  if (typeof spec === "string") {
    const m = /^\s*(\d*)\s*:\s*(\d*)\s*$/.exec(spec);
    if (!m) throw new ValidationError(`${what} must be "start:end" or an array of positions, got ${JSON.stringify(spec)}`);
    const start = m[1] ? Number(m[1]) : 0;
    const end = m[2] ? Number(m[2]) : n;
    if (!Number.isFinite(end)) throw new ValidationError(`${what}: an open range "${spec}" needs its end on a chunked frame; give "start:end"`);
    return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
  }
  for (const p of spec) {
    if (!Number.isInteger(p) || p < 0 || p >= n) throw new ValidationError(`${what}: position ${p} is not an integer in [0, ${n === Infinity ? "rows" : n})`);
  }
  return [...spec];
}

void dtypeMap;
