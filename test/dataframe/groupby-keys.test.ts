/**
 * The typed key paths of groupby partials (src/dataframe/kernels/groupby-keys.ts and
 * IntTable in hash.ts) against brute force: IntTable ids equal a Map's insertion order,
 * concatCodes equals coding by `groupKey` (null, NaN apart, -0 = 0), takeRows equals the
 * gathered cells, the index-like order equals danfoGroupOrder, and chunk → combine (any
 * fan-in) → finish over any partitioning (empty partitions, 90% skew, int/float/string/
 * boolean keys with NaN and null) gives exactly the partition the whole frame gives,
 * whose sums and counts equal a brute-force groupby.
 */
import { describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { cellsOfColumn, concatCodes, indexKeyOrder, takeRows } from "../../src/dataframe/kernels/groupby-keys.js";
import { danfoGroupOrder, finishGroups, groupChunk, groupCombine, type GroupPartial, type GroupSpec } from "../../src/dataframe/kernels/groupby.js";
import { IntTable } from "../../src/dataframe/kernels/hash.js";
import type { Dtype } from "../../src/dataframe/meta.js";
import { fromValues, makePartition, readColumn, type Partition } from "../../src/dataframe/partition.js";
import { groupKey, keyValues, type KeyKind } from "./helpers/groupby-reference.js";

const DTYPE: Record<KeyKind, Dtype> = { int: "int32", float: "float64", str: "string", bool: "boolean" };

/** Values split into consecutive pieces of the given lengths (the last takes the rest). */
function split<T>(xs: readonly T[], cuts: readonly number[]): T[][] {
  const out: T[][] = [];
  let o = 0;
  for (const c of cuts) { const e = Math.min(xs.length, o + c); out.push(xs.slice(o, e)); o = e; }
  out.push(xs.slice(o));
  return out;
}

const keysArb = fc.constantFrom<KeyKind>("int", "float", "str", "bool").chain((kind) =>
  fc.tuple(fc.constant(kind), fc.integer({ min: 0, max: 60 }), fc.boolean(), fc.boolean())
    .chain(([k, n, nulls, skew]) => fc.tuple(fc.constant(k), keyValues(k, n, nulls, skew), fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 6 }))));

describe("typed groupby keys", () => {
  test.prop([fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })), { maxLength: 400 })])(
    "IntTable gives ids in insertion order, as a Map does, across growth", (xs) => {
      const table = new IntTable(1);
      const map = new Map<number, number>();
      for (const x of xs) {
        if (!map.has(x)) map.set(x, map.size);
        expect(table.id(x)).toBe(map.get(x));
      }
      expect(table.size).toBe(map.size);
    });

  test.prop([keysArb])("concatCodes codes equal keys alike (null and NaN apart, -0 = 0), in first appearance", ([kind, values, cuts]) => {
    const pieces = split(values, cuts);
    const cols = pieces.map((p) => fromValues(DTYPE[kind], p));
    const { codes, n } = concatCodes(cols, pieces.map((p) => p.length));
    const seen = new Map<string, number>();
    const want = values.map((v) => { const k = groupKey([v]); if (!seen.has(k)) seen.set(k, seen.size); return seen.get(k)!; });
    expect([...codes]).toEqual(want);
    expect(n).toBe(seen.size);
  });

  test.prop([keysArb, fc.array(fc.nat(), { maxLength: 40 })])("takeRows gathers the cells of rows of several columns", ([kind, values, cuts], picks) => {
    const pieces = split(values, cuts);
    const cols = pieces.map((p) => fromValues(DTYPE[kind], p));
    const nonEmpty = pieces.map((p, i) => [p.length, i] as const).filter(([len]) => len > 0);
    fc.pre(nonEmpty.length > 0 || picks.length === 0);
    const part = Int32Array.from(picks, (x) => nonEmpty[x % nonEmpty.length]![1]);
    const row = Int32Array.from(picks, (x, i) => x % pieces[part[i]!]!.length);
    const got = takeRows(cols, part, row);
    const want = picks.map((_, i) => pieces[part[i]!]![row[i]!] ?? null);
    expect(cellsOfColumn(got, picks.length)).toEqual(want);
  });

  test.prop([fc.array(fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 3000 }) }, { weight: 1, arbitrary: fc.constantFrom(null, Number.NaN, 4294967294, 4294967295, -1, 2.5) }), { maxLength: 60 }),
    fc.constantFrom<Dtype>("float64", "int32")])(
    "the index-like key order equals danfoGroupOrder, or is not taken", (raw, dtype) => {
      const cells = raw.map((v) => (dtype === "int32" && typeof v === "number" && !(Number.isInteger(v) && Math.abs(v) < 2 ** 31) ? null : v));
      const distinct = [...new Map(cells.map((v) => [groupKey([v]), v])).values()];
      const col = fromValues(dtype, distinct);
      // groups are numbered in reverse appearance, so appearance order is not index order
      const pos = Float64Array.from(distinct, (_, g) => distinct.length - g);
      const appearance = distinct.map((_, g) => g).sort((a, b) => pos[a]! - pos[b]!);
      const fast = indexKeyOrder(col, distinct.length, pos);
      const indexLike = distinct.every((v) => v === null || Number.isNaN(v) || (typeof v === "number" && Number.isInteger(v) && v >= 0 && v < 4294967295));
      expect(fast !== undefined).toBe(indexLike);
      if (fast) expect(fast).toEqual(danfoGroupOrder([cellsOfColumn(col, distinct.length)], appearance));
    });

  test.prop([keysArb, fc.integer({ min: 2, max: 5 }), fc.boolean()])(
    "chunk → combine (any fan-in) → finish equals the whole frame's result and a brute-force sum/count", ([kind, keys, cuts], fanIn, twoKeys) => {
      const n = keys.length;
      const values = keys.map((_, i) => (i % 7 === 3 ? null : (i % 11) / 4 - 1));
      const other = keys.map((_, i) => (i % 3 === 0 ? "p" : i % 5 === 0 ? null : "q"));
      const spec: GroupSpec = {
        keys: [{ name: "k", dtype: DTYPE[kind] }, ...(twoKeys ? [{ name: "k2", dtype: "string" as Dtype }] : [])],
        values: [{ name: "v", dtype: "float64", ops: ["sum", "count"] }],
      };
      const meta = { columns: [...spec.keys.map((k) => ({ name: k.name, dtype: k.dtype })), { name: "v", dtype: "float64" as Dtype }] };
      const batch = (lo: number, hi: number): Partition => makePartition(meta, [
        fromValues(DTYPE[kind], keys.slice(lo, hi)), ...(twoKeys ? [fromValues("string", other.slice(lo, hi))] : []), fromValues("float64", values.slice(lo, hi)),
      ], hi - lo);
      const bounds: number[] = [0];
      for (const c of cuts) bounds.push(Math.min(n, bounds.at(-1)! + c));
      bounds.push(n);
      let level: GroupPartial[] = bounds.slice(1).map((hi, p) => groupChunk(batch(bounds[p]!, hi), spec, p));
      while (level.length > 1) {
        const next: GroupPartial[] = [];
        for (let i = 0; i < level.length; i += fanIn) next.push(groupCombine(spec, level.slice(i, i + fanIn)));
        level = next;
      }
      const got = finishGroups(spec, level[0]!);
      const whole = finishGroups(spec, groupChunk(batch(0, n), spec, 0));
      const cols = (p: Partition): unknown[][] => p.schema.fields.map((_, i) => cellsOfColumn(readColumn(p, i), p.numRows));
      expect(cols(got)).toEqual(cols(whole));
      const brute = new Map<string, { sum: number; count: number }>();
      keys.forEach((k, i) => {
        const g = groupKey(twoKeys ? [k, other[i]] : [k]);
        const s = brute.get(g) ?? { sum: 0, count: 0 };
        if (values[i] !== null) { s.sum += values[i]!; s.count++; }
        brute.set(g, s);
      });
      const [kc, ...rest] = cols(got);
      const k2 = twoKeys ? rest.shift()! : undefined;
      const [sums, counts] = rest;
      expect(kc!.length).toBe(brute.size);
      kc!.forEach((k, r) => {
        const b = brute.get(groupKey(k2 ? [k, k2[r]] : [k]))!;
        expect(counts![r]).toBe(b.count);
        expect(sums![r]).toBe(b.sum);
      });
    });
});
