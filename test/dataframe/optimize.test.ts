/**
 * The expression optimizer: projection pushdown into sources and fusion of row-wise
 * steps into one task per partition.
 */
import { describe, expect, test } from "vitest";
import { prepareGraph } from "../../src/graph/compute.js";
import { TUSK } from "../../src/graph/collection.js";
import { makeKey, makeName } from "../../src/graph/key.js";
import { lit, opsOf, task } from "../../src/graph/task.js";
import { DataFrame, frameMeta, type FrameMeta, type SourceExpr } from "../../src/dataframe/index.js";
import type { Collection } from "../../src/graph/collection.js";

const META = frameMeta([["id", "int32"], ["fare", "float64"], ["tip", "float64"], ["vendor", "string"], ["unused", "float64"]]);
const DATA: Record<string, unknown[]> = {
  id: [1, 2, 3, 4, 5, 6], fare: [5, 12, 30, 8, 11, 50], tip: [1, 2, 3, 0, 1, 5], vendor: ["a", "b", "a", "c", "b", "a"], unused: [0, 0, 0, 0, 0, 0],
};

/** A source over DATA in 3 partitions that records which columns each lowering asked for. */
function recordingSource(): { source: SourceExpr; asked: string[][] } {
  const asked: string[][] = [];
  const source: SourceExpr = {
    kind: "source", name: "test-read", meta: META, npartitions: 3, token: "recording",
    lower(columns) {
      asked.push([...columns]);
      const name = makeName("test-read", columns);
      const meta: FrameMeta = { columns: META.columns.filter((c) => columns.includes(c.name)) };
      const tasks = [0, 1, 2].map((i) => task(makeKey(name, i), "dataframe.from-values", lit(meta), lit(meta.columns.map((c) => DATA[c.name]!.slice(2 * i, 2 * i + 2)))));
      return { tasks, keys: tasks.map((t) => t.key) };
    },
  };
  return { source, asked };
}

function optimized(c: Collection): ReturnType<typeof prepareGraph> {
  return prepareGraph([c[TUSK]()]);
}

describe("projection pushdown", () => {
  test("a Series of two columns reads only those columns", async () => {
    const { source, asked } = recordingSource();
    const df = DataFrame.fromSource(source);
    const total = df.column("fare").add(df.column("tip"));
    const out = await total.compute({ scheduler: "sync", progress: false });
    expect(asked).toEqual([["fare", "tip"]]);
    expect(out.values).toEqual([6, 14, 33, 8, 12, 55]);
  });

  test("filter → addColumn → select reads only the columns used anywhere in the chain", async () => {
    const { source, asked } = recordingSource();
    const df = DataFrame.fromSource(source);
    const q = df.query(df.column("fare").gt(10)).addColumn("total", df.column("fare").add(df.column("tip"))).loc({ columns: ["vendor", "total"] });
    const out = await q.compute({ scheduler: "sync", progress: false });
    expect(asked).toEqual([["fare", "tip", "vendor"]]);
    expect(out.columns).toEqual(["vendor", "total"]);
    expect(out.values).toEqual([["b", 14], ["a", 33], ["b", 12], ["a", 55]]);
  });

  test("a column dropped after being computed is never computed", () => {
    const { source, asked } = recordingSource();
    const df = DataFrame.fromSource(source);
    df.addColumn("x", df.column("unused").mul(2)).drop({ columns: ["x", "unused"] }).toPartitions();
    expect(asked).toEqual([["id", "fare", "tip", "vendor"]]);
  });
});

describe("fusion of row-wise steps", () => {
  test("fare + tip on one source is one task per partition", () => {
    const { source } = recordingSource();
    const df = DataFrame.fromSource(source);
    const { graph } = optimized(df.column("fare").add(df.column("tip")));
    expect(graph.size).toBe(3);
    for (const t of graph.values()) expect(opsOf(t).filter((o) => o === "dataframe.pipeline")).toHaveLength(1);
  });

  test("a chain filter → addColumn → arithmetic lowers to one pipeline task per partition", () => {
    const { source } = recordingSource();
    const df = DataFrame.fromSource(source);
    const chain = df.query(df.column("fare").gt(10)).addColumn("total", df.column("fare").add(df.column("tip"))).column("total").mul(2);
    const lowered = chain.toPartitions();
    // Before generic fusion: the read layer and ONE pipeline layer.
    expect([...lowered.graph.layers.keys()].length).toBe(2);
    const { graph } = optimized(chain);
    expect(graph.size).toBe(3);
    for (const t of graph.values()) {
      expect(opsOf(t).filter((o) => o === "dataframe.pipeline")).toHaveLength(1);
      expect(opsOf(t)).toContain("dataframe.from-values");
    }
  });

  test("the fused chain computes the right values", async () => {
    const { source } = recordingSource();
    const df = DataFrame.fromSource(source);
    const chain = df.query(df.column("fare").gt(10)).addColumn("total", df.column("fare").add(df.column("tip"))).column("total").mul(2);
    expect((await chain.compute({ scheduler: "sync", progress: false })).values).toEqual([28, 66, 24, 110]);
  });

  test("the same expression built twice gives the same keys", () => {
    const { source } = recordingSource();
    const a = DataFrame.fromSource(source);
    const b = DataFrame.fromSource(source);
    expect(a.column("fare").gt(1).toPartitions().keys).toEqual(b.column("fare").gt(1).toPartitions().keys);
    expect(a.column("fare").gt(1).toPartitions().keys).not.toEqual(a.column("fare").gt(2).toPartitions().keys);
  });
});
