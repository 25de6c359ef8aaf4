/**
 * The shuffle primitive: hash and range shuffles keep every row exactly once, put
 * equal keys in one output partition (int32 1 with float64 1.0, null with null), keep
 * input order inside an output partition, build O(input + output) tasks, and leave no
 * staging folder behind — after success, failure and cancellation (the graph core's
 * layer cleanups, src/graph/cleanup.ts).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test as vtest } from "vitest";
import { fc, test } from "@fast-check/vitest";
import * as dfd from "danfojs-node";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { cleanupActions, runCleanups } from "../../src/graph/cleanup.js";
import { computeOne } from "../../src/graph/compute.js";
import { config } from "../../src/graph/config.js";
import { shipFunction } from "../../src/graph/shipped-function.js";
import { LayeredGraph, layer } from "../../src/graph/graph.js";
import { makeKey } from "../../src/graph/key.js";
import { defineOp } from "../../src/graph/ops.js";
import { lit, ref, task } from "../../src/graph/task.js";
import { TUSK } from "../../src/graph/collection.js";
import { CancelledError, TaskError } from "../../src/errors.js";
import { DataFrame, fromDanfo } from "../../src/dataframe/index.js";
import { shuffle } from "../../src/dataframe/shuffle/shuffle.js";
import { frameAndPartitions, toDanfo } from "./helpers/frames.js";
import { computeRows, expectSameRows, rowKey, specRows } from "./shuffle-reference.js";

afterAll(() => shutdownPools());

function hashShuffled(df: DataFrame, columns: string[], n: number): DataFrame {
  const p = df.toPartitions();
  const s = shuffle(p, { kind: "hash", columns }, n);
  return DataFrame.fromGraph(s.graph, s.keys, p.meta);
}

function stagingDirs(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith("tusk-shuffle-")) : [];
}

describe("hash shuffle", () => {
  test.prop([frameAndPartitions({ maxRows: 40 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 3 })], { numRuns: 30 })(
    "keeps every row once, equal keys in one partition, input order inside a partition",
    async ({ frame, lengths }, n, keyCol) => {
      const d = toDanfo(frame);
      const key = frame.names[keyCol]!;
      const withPos = fromDanfo(d, { lengths });
      const got = await computeRows(hashShuffled(withPos, [key], n));
      expect(got.nparts).toBe(n);
      expectSameRows(got.rows, specRows(frame));
      const home = new Map<string, number>();
      got.partRows.forEach((rows, p) => rows.forEach((r) => {
        const k = rowKey([r[keyCol]]);
        expect(home.get(k) ?? p, `key ${k} in two partitions`).toBe(p);
        home.set(k, p);
      }));
      // Rows of one partition appear in input order.
      const original = specRows(frame).map(rowKey);
      for (const rows of got.partRows) {
        let last = -1;
        const used = new Set<number>();
        for (const r of rows) {
          const k = rowKey(r);
          let at = original.findIndex((o, i) => o === k && i > last && !used.has(i));
          if (at < 0) at = original.findIndex((o, i) => o === k && !used.has(i));
          expect(at).toBeGreaterThan(last);
          used.add(at); last = at;
        }
      }
    },
  );

  vtest("int32 1 and float64 1.0 (and null with null) land in the same partition", async () => {
    const a = fromDanfo(new dfd.DataFrame({ k: [1, 2, 3, null, 5] }, { dtypes: ["int32"] }), { npartitions: 2 });
    const b = fromDanfo(new dfd.DataFrame({ k: [1.0, 2.0, 3.0, null, 5.0] }, { dtypes: ["float32"] }), { npartitions: 3 });
    const pa = await computeRows(hashShuffled(a, ["k"], 4));
    const pb = await computeRows(hashShuffled(b, ["k"], 4));
    expect(pa.partRows.map((rows) => rows.map((r) => r[0]))).toEqual(pb.partRows.map((rows) => rows.map((r) => r[0])));
  });

  vtest("builds O(input + output) tasks, not O(input × output)", () => {
    const df = fromDanfo(new dfd.DataFrame({ k: Array.from({ length: 100 }, (_, i) => i) }), { npartitions: 50 });
    const p = df.toPartitions();
    const s = shuffle(p, { kind: "hash", columns: ["k"] }, 40);
    const own = s.graph.size - p.graph.size;
    expect(own).toBe(1 + 50 + 1 + 40); // init, splits, barrier, collects
  });
});

describe("staging cleanup", () => {
  // The staging folder goes in tk.config's localDirectory at graph-building time.
  const local = mkdtempSync(join(tmpdir(), "tusk-shuffle-test-"));
  let previous: ReturnType<typeof config.set>;
  beforeAll(() => { previous = config.set({ localDirectory: local }); });
  afterAll(() => { config.set(previous); rmSync(local, { recursive: true, force: true }); });
  const frame = fromDanfo(new dfd.DataFrame({ k: Array.from({ length: 200 }, (_, i) => i % 13), v: Array.from({ length: 200 }, (_, i) => i) }), { npartitions: 4 });

  vtest("the staging folder is gone after a successful computation (sync and threads)", async () => {
    for (const scheduler of ["sync", "threads"] as const) {
      const dirs: string[][] = [];
      const out = await computeRows(hashShuffled(frame, ["k"], 3), { scheduler, progress: () => { dirs.push(stagingDirs(local)); } });
      expect(dirs.flat().length).toBeGreaterThan(0); // it existed while running
      expect(out.rows.length).toBe(200);
      expect(stagingDirs(local)).toEqual([]);
    }
  });

  vtest("the staging folder is gone after a task fails", async () => {
    const shuffled = shuffle(frame.toPartitions(), { kind: "hash", columns: ["k"] }, 3);
    // A task after the collect stage fails: splits have written their files by then.
    const failKey = makeKey("fail-after-collect");
    const boom = shipFunction((_part: unknown) => { throw new Error("boom after the shuffle"); }, "test function", "");
    const g = LayeredGraph.from(layer("fail-after-collect", [task(failKey, "tusk.call", lit(boom), ref(shuffled.keys[0]!))]), shuffled.graph);
    for (const scheduler of ["sync", "threads"] as const) {
      await expect(computeOne({ [TUSK]: () => ({ graph: g, keys: [failKey], finalize: (v: unknown[]) => v, rebuild: () => { throw new Error("no"); } }) },
        { scheduler, progress: false })).rejects.toBeInstanceOf(TaskError);
      expect(shuffled.staging.dir.startsWith(local)).toBe(true);
      expect(existsSync(shuffled.staging.dir)).toBe(false);
    }
  });

  vtest("the staging folder is gone after cancellation", async () => {
    const controller = new AbortController();
    const big = fromDanfo(new dfd.DataFrame({ k: Array.from({ length: 20000 }, (_, i) => i % 101) }), { npartitions: 8 });
    const pending = computeRows(hashShuffled(big, ["k"], 8), { scheduler: "threads", signal: controller.signal, progress: (e) => { if (e.done >= 3) controller.abort(); } });
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    await new Promise((r) => setTimeout(r, 200));
    expect(stagingDirs(local)).toEqual([]);
  });
});

defineOp("test.cleanup.record", (log: string) => { (globalThis as { __cleanupLog?: string[] }).__cleanupLog?.push(log); });

describe("layer cleanups (graph core)", () => {
  vtest("cleanupActions lists each action of every layer once; runCleanups runs them and survives a failing one", async () => {
    const a = layer("a", [task(makeKey("a"), "tusk.identity", lit(1))], [], { cleanup: [{ op: "test.cleanup.record", args: ["x"] }] });
    const b = layer("b", [task(makeKey("b"), "tusk.identity", lit(2))], [], { cleanup: [{ op: "test.cleanup.record", args: ["x"] }, { op: "test.no-such-op", args: [] }] });
    const actions = cleanupActions([new LayeredGraph([a]), new LayeredGraph([a, b])]);
    expect(actions).toEqual([{ op: "test.cleanup.record", args: ["x"] }, { op: "test.no-such-op", args: [] }]);
    const log: string[] = [];
    (globalThis as { __cleanupLog?: string[] }).__cleanupLog = log;
    const warnings: string[] = [];
    const onWarning = (w: Error): void => { warnings.push(w.message); };
    process.on("warning", onWarning);
    await runCleanups(actions);
    await new Promise((r) => setImmediate(r));
    process.off("warning", onWarning);
    expect(log).toEqual(["x"]);
    expect(warnings.some((w) => w.includes("test.no-such-op"))).toBe(true);
  });
});
