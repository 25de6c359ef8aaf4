/**
 * Arbitraries for DataFrame property tests, shared by every DataFrame test file:
 * random frames (ints, floats with NaN, strings with "", nulls, booleans) and random
 * partitionings (with empty and one-row partitions).
 *
 * @example
 * test.prop([frameAndPartitions()])("query matches danfo", async ({ frame, lengths }) => {
 *   const d = toDanfo(frame);
 *   const df = tk.fromDanfo(d, { lengths });
 *   await assertEq(df.query(df.column("i").gt(0)), d.query(d.column("i").gt(0)));
 * });
 */
import fc from "fast-check";
import * as dfd from "danfojs-node";

/** Column kinds the generator makes. danfo labels: int32, float32, string, boolean. */
export type ColumnKind = "int32" | "float64" | "string" | "boolean";

/** A generated frame: column names, kinds and plain values (null for null). */
export interface FrameSpec {
  readonly names: string[];
  readonly kinds: ColumnKind[];
  readonly columns: unknown[][];
  readonly nrows: number;
}

export interface FrameArbOptions {
  minRows?: number;
  maxRows?: number;
  /** Column kinds to use; a frame gets one column of each, named by kind initial + index. */
  kinds?: readonly ColumnKind[];
  /** Include nulls (default true). Booleans never get nulls: danfo relabels such a column float32. */
  nulls?: boolean;
  /** Include NaN in float columns (default true). */
  nan?: boolean;
}

const STRINGS = ["", "a", "b", "ab", "Ba", "cab", " x ", "día", "a,b", "Hello World"];

/** Values of one column. */
export function columnValues(kind: ColumnKind, n: number, options: FrameArbOptions = {}): fc.Arbitrary<unknown[]> {
  const nulls = options.nulls ?? true;
  const withNull = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => (nulls ? fc.option(a, { nil: null, freq: 6 }) : a);
  let item: fc.Arbitrary<unknown>;
  switch (kind) {
    case "int32": item = withNull(fc.integer({ min: -1000, max: 1000 })); break;
    case "float64": item = withNull(fc.oneof(
      { weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }) },
      { weight: options.nan ?? true ? 1 : 0, arbitrary: fc.constant(Number.NaN) },
      { weight: 2, arbitrary: fc.integer({ min: -50, max: 50 }).map((x) => x / 4) },
    )); break;
    case "string": item = withNull(fc.constantFrom(...STRINGS)); break;
    case "boolean": item = fc.boolean(); break;
  }
  return fc.array(item, { minLength: n, maxLength: n });
}

/** A random frame of the given column kinds (default one of each). */
export function frameArb(options: FrameArbOptions = {}): fc.Arbitrary<FrameSpec> {
  const kinds = options.kinds ?? (["int32", "float64", "string", "boolean"] as const);
  return fc.integer({ min: options.minRows ?? 0, max: options.maxRows ?? 30 }).chain((nrows) =>
    fc.tuple(...kinds.map((k) => columnValues(k, nrows, options))).map((columns) => ({
      names: kinds.map((k, i) => `${k[0]}${i}`),
      kinds: [...kinds],
      columns,
      nrows,
    })));
}

/** Row counts of a random partitioning of `nrows` rows: 1-6 partitions, empty and one-row ones included. */
export function partitionsArb(nrows: number): fc.Arbitrary<number[]> {
  return fc.integer({ min: 1, max: 6 }).chain((k) =>
    fc.array(fc.integer({ min: 0, max: nrows }), { minLength: k - 1, maxLength: k - 1 }).map((cuts) => {
      const sorted = [...cuts].sort((a, b) => a - b);
      const bounds = [0, ...sorted, nrows];
      return bounds.slice(1).map((b, i) => b - bounds[i]!);
    }));
}

/** A random frame with a random partitioning of its rows. */
export function frameAndPartitions(options: FrameArbOptions = {}): fc.Arbitrary<{ frame: FrameSpec; lengths: number[] }> {
  return frameArb(options).chain((frame) => partitionsArb(frame.nrows).map((lengths) => ({ frame, lengths })));
}

const DANFO_LABEL: Record<ColumnKind, string> = { int32: "int32", float64: "float32", string: "string", boolean: "boolean" };

/** The danfo DataFrame of a spec (explicit dtypes, so an int column with nulls stays int32). */
export function toDanfo(spec: FrameSpec): dfd.DataFrame {
  const dtypes = spec.kinds.map((k) => DANFO_LABEL[k]);
  if (spec.nrows === 0) return new dfd.DataFrame([], { columns: spec.names, dtypes });
  const obj: Record<string, unknown[]> = {};
  spec.names.forEach((n, i) => { obj[n] = spec.columns[i]!; });
  return new dfd.DataFrame(obj, { columns: spec.names, dtypes });
}
