import { describe, expect, test } from "vitest";
import * as tk from "../../src/index.js";
import { defineOp, opModules, opModulesFor, registerOpModule } from "../../src/graph/ops.js";
import { task, ref, lit, type Call } from "../../src/graph/task.js";
import { warmPool } from "../../src/graph/local/pool.js";
import { makeKey } from "../../src/graph/key.js";
import "./_ops.js";

const k = (name: string): ReturnType<typeof makeKey> => makeKey(`ops-modules-${name}`, 0);
const tail = (url: string): string => url.replace(/^.*\/(src|test)\//, "$1/");

describe("opModulesFor: worker threads import only the op modules a graph uses", () => {
  test("a CSV read and groupby needs the CSV and groupby kernels, not the array modules", () => {
    const tasks: Call[] = [
      task(k("read"), "dataframe.io.read-csv", lit({})),
      task(k("agg"), "dataframe.groupby.chunk", ref(k("read"))),
    ];
    const mods = opModulesFor(tasks).map(tail);
    expect(mods).toContain("src/dataframe/io/kernels.ts");
    expect(mods).toContain("src/dataframe/kernels/groupby.ts");
    expect(mods.some((m) => m.startsWith("src/array/"))).toBe(false);
    expect(mods).not.toContain("src/dataframe/verbs/concat.ts");
  });

  test("ops inside fused calls and lists count", () => {
    const tasks: Call[] = [task(k("f"), "tusk.identity", { list: [{ call: { op: "array.binary", args: [] } }] })];
    expect(opModulesFor(tasks).map(tail)).toContain("src/array/kernels.ts");
  });

  test("a module that registers itself after defining its ops is found", () => {
    expect(opModulesFor([task(k("leaf"), "test.leaf", lit(1), lit(2))]).map(tail)).toContain("test/graph/_ops.ts");
  });

  test("built-in ops need no module; an unknown op or a persisted value needs all of them", () => {
    const all = opModules();
    expect(opModulesFor([task(k("i"), "tusk.identity", lit(1))]).length).toBeLessThan(all.length);
    expect(opModulesFor([task(k("u"), "no.such.op")])).toEqual(all);
    expect(opModulesFor([task(k("p"), "tusk.persisted", lit(null))])).toEqual(all);
  });

  test("an op defined outside any registered module makes every module needed", () => {
    defineOp("test.unregistered-here", (x: number) => x);
    expect(opModulesFor([task(k("x"), "test.unregistered-here", lit(1))])).toEqual(opModules());
  });

  test("a registered module that defined no op in this thread is always imported", () => {
    // A real module (workers import it), never imported in this thread.
    const url = new URL("../distributed/fixtures/ops.ts", import.meta.url).href;
    registerOpModule(url);
    expect(opModulesFor([task(k("r"), "dataframe.io.read-csv", lit({}))])).toContain(url);
  });

  test("warmPool starts the threads with the modules a graph will need, then computes on them", async () => {
    await warmPool(3, opModulesFor([task(k("leaf"), "test.leaf", lit(1), lit(2))]));
    await warmPool(3, opModules()); // the pool exists: nothing to do
    const inc = tk.delayed((x: number) => x + 1);
    expect(await inc(41).compute({ scheduler: "threads", nthreads: 3 })).toBe(42);
  });

  test("a graph of array and delayed ops still computes on threads", async () => {
    const inc = tk.delayed((x: number) => x + 1);
    expect(await inc(1).compute({ scheduler: "threads" })).toBe(2);
    const x = tk.array.ones([4, 4], { chunks: [2, 2] });
    const s = await x.sum().compute({ scheduler: "threads" });
    expect((await s.data())[0]).toBe(16);
    await tk.shutdown();
  });
});
