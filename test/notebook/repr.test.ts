// Notebook views: the HTML and text reprs of collections and computed results, tk.display,
// and the in-place progress bar, checked against the collections' own metadata and
// graphs and against danfo's values (a fake notebook front end records what is shown).
import { fc, test as fcTest } from "@fast-check/vitest";
import * as dfd from "danfojs-node";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, afterEach, describe, expect, test, vi } from "vitest";
import * as tk from "../../src/index.js";
import { TUSK } from "../../src/graph/collection.js";
import { LayeredGraph, layer } from "../../src/graph/graph.js";
import { makeKey, makeName } from "../../src/graph/key.js";
import { lit, task } from "../../src/graph/task.js";
import { DataFrame } from "../../src/dataframe/frame.js";
import { DTYPES, frameMeta, type Dtype } from "../../src/dataframe/meta.js";
import { MAX_DRAWN_BLOCKS, chunkGridSVG } from "../../src/array/repr.js";
import { escapeHTML } from "../../src/notebook/html.js";
import { notebookProgressSink, PROGRESS_INTERVAL_MS } from "../../src/notebook/progress.js";
import { inNotebook, notebookFrontEnd, setNotebookDisplay, type NotebookDisplay, type NotebookFrontEnd } from "../../src/notebook/tslab.js";

afterAll(() => tk.shutdown());
afterEach(() => setNotebookDisplay(undefined));

const unescape = (s: string): string =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

/** Text of the cells (th and td) of each row of the first table in `html`. */
function tableRows(html: string): string[][] {
  const t = /<table[^>]*>([\s\S]*?)<\/table>/.exec(html)![1]!;
  return [...t.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => unescape(c[1]!)));
}

/** A frame of the given columns over a graph of `n` placeholder tasks (never computed). */
function frameOf(columns: ReadonlyArray<readonly [string, Dtype]>, n: number, lengths?: number[]): DataFrame {
  const name = makeName("parts", columns, n);
  const tasks = Array.from({ length: n }, (_, i) => task(makeKey(name, i), "never.run", lit(i)));
  return DataFrame.fromGraph(new LayeredGraph([layer(name, tasks)]), tasks.map((t) => t.key), frameMeta(columns), lengths ? { lengths } : {});
}

/** A fake notebook: records what each display entry shows (entry 0 = tslab's `display`). */
function fakeNotebook(): { fe: NotebookFrontEnd; entries: string[][] } {
  const entries: string[][] = [[]];
  const entry = (shown: string[]): NotebookDisplay => ({ html: (s) => shown.push(s), text: (s) => shown.push(s) });
  const fe: NotebookFrontEnd = { display: entry(entries[0]!), newDisplay: () => { const e: string[] = []; entries.push(e); return entry(e); } };
  setNotebookDisplay(fe);
  return { fe, entries };
}

// Column names with the characters HTML cares about, and others.
const nameArb = fc.string({ unit: fc.constantFrom("a", "Z", "<", ">", "&", '"', "'", " ", "é", "💥", "/"), minLength: 1, maxLength: 6 });
const columnsArb = fc.uniqueArray(fc.tuple(nameArb, fc.constantFrom(...DTYPES)), { minLength: 1, maxLength: 30, selector: (c) => c[0] });

describe("DataFrame structure", () => {
  fcTest.prop([columnsArb, fc.integer({ min: 1, max: 40 })], { numRuns: 60 })(
    "the HTML names every column and its dtype in order, with npartitions and the graph's task count",
    (columns, n) => {
      const df = frameOf(columns, n);
      const html = df.reprHTML();
      const [header, dtypes] = tableRows(html);
      const shown = columns.length <= 20 ? columns : [...columns.slice(0, 10), null, ...columns.slice(-10)];
      expect(header).toEqual([`npartitions=${n}`, ...shown.map((c) => (c ? c[0] : "…"))]);
      expect(dtypes).toEqual(["dtype", ...shown.map((c) => (c ? c[1] : "…"))]);
      const ntasks = df[TUSK]().graph.size;
      expect(unescape(html)).toContain(`${ntasks} task${ntasks === 1 ? "" : "s"} in 1 graph layer`);
      expect(unescape(html)).toContain(`${columns.length} column${columns.length === 1 ? "" : "s"}`);
    },
  );

  test("odd column names are escaped: no markup from a name reaches the page", () => {
    const evil = `<script>alert("x")</script>`;
    const df = frameOf([[evil, "string"], ["a & b", "float64"], ["it's", "int32"]], 2);
    const html = df.reprHTML();
    expect(html).not.toContain("<script>");
    expect(html).toContain(escapeHTML(evil));
    expect(html).toContain("a &amp; b");
    expect(html).toContain("it&#39;s");
    expect(tableRows(html)[0]).toEqual(["npartitions=2", evil, "a & b", "it's"]);
  });

  test("the text repr lists name, npartitions, tasks and one line per column", () => {
    const df = frameOf([["fare", "float64"], ["vendor", "string"], ["when", "datetime"]], 3, [10, 20, 5]);
    const text = inspect(df);
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^tusk\.DataFrame<parts-[0-9a-f]+, npartitions=3, 3 tasks>$/);
    expect(lines.slice(1, 4).map((l) => l.trim().split(/\s+/))).toEqual([["fare", "float64"], ["vendor", "string"], ["when", "datetime"]]);
    expect(lines[4]!.trim()).toBe("35 rows in 3 partitions");
    expect(inspect(frameOf([["x", "int32"]], 2))).toContain("rows unknown until computed");
  });

  test("a real pipeline: counts come from its graph, and Series and reductions have views too", async () => {
    const base = tk.fromDanfo(new dfd.DataFrame({ fare: [1.5, 2, 3, 4, 5], v: ["a", "b", "a", "b", "c"] }), { npartitions: 2 });
    const q = base.query(base.column("fare").gt(2));
    const n = q[TUSK]().graph.size;
    expect(inspect(q).split("\n")[0]).toMatch(new RegExp(`npartitions=2, ${n} tasks>$`));
    const s = base.column("fare");
    expect(tableRows(s.reprHTML())[0]).toEqual(["npartitions=2", "fare"]);
    expect(inspect(s)).toMatch(/^tusk\.Series<.*npartitions=2, \d+ tasks>\n\s+fare\s+float64/);
    const total = s.sum();
    expect(inspect(total)).toBe(`tusk.Scalar<${total.key}, ${total[TUSK]().graph.size} tasks>`);
    expect(total.reprHTML()).toContain(escapeHTML(total.key));
    const inc = tk.delayed((x: number) => x + 1);
    const d = inc(inc(1));
    expect(inspect(d)).toBe(`tusk.Delayed<${d.key}, 2 tasks>`);
    expect(inspect(base.groupby(["v"]).agg({ fare: "sum" }))).toContain("fare_sum");
  });
});

describe("array chunk grid", () => {
  const chunksArb = (nd: number) => fc.array(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 7 }), { minLength: nd, maxLength: nd });

  /** Rects of the grid: position, size and title. */
  const rects = (svg: string) => [...svg.matchAll(/<rect class="tusk-chunk" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"[^>]*><title>([^<]*)<\/title>/g)]
    .map((m) => ({ x: +m[1]!, y: +m[2]!, w: +m[3]!, h: +m[4]!, title: unescape(m[5]!) }));

  fcTest.prop([fc.integer({ min: 1, max: 2 }).chain(chunksArb)], { numRuns: 60 })(
    "one rect per chunk, sized in proportion to the chunk along each axis, titled with its block and shape",
    (chunks) => {
      const x = tk.array.zeros(chunks.map((c) => c.reduce((a, b) => a + b, 0)), { chunks });
      const html = x.reprHTML();
      const rs = rects(html);
      expect(rs.length).toBe(x.npartitions);
      const rowChunks = chunks.length === 1 ? [1] : chunks[0]!;
      const colChunks = chunks[chunks.length - 1]!;
      const sum = (a: number[]) => a.reduce((p, q) => p + q, 0);
      const width = sum(rs.slice(0, colChunks.length).map((r) => r.w));
      const height = sum(rs.filter((_, k) => k % colChunks.length === 0).map((r) => r.h));
      rs.forEach((r, k) => {
        const i = Math.floor(k / colChunks.length); const j = k % colChunks.length;
        expect(r.w).toBeCloseTo((colChunks[j]! / sum(colChunks)) * width, 1);
        expect(r.h).toBeCloseTo((rowChunks[i]! / sum(rowChunks)) * height, 1);
        expect(r.title).toBe(chunks.length === 1 ? `block (${j}): ${colChunks[j]}` : `block (${i}, ${j}): ${rowChunks[i]} × ${colChunks[j]}`);
      });
      const [, ...facts] = tableRows(html);
      const tuple = (s: number[]) => `(${s.join(", ")}${s.length === 1 ? "," : ""})`;
      expect(facts[1]).toEqual(["Shape", tuple([...x.shape]), tuple(chunks.map((c) => Math.max(...c)))]);
      expect(facts[2]![1]).toBe(`${x.npartitions} chunk${x.npartitions === 1 ? "" : "s"}`);
      expect(facts[3]).toEqual(["Data type", "float64", "float64"]);
    },
  );

  test(`an axis with more than ${MAX_DRAWN_BLOCKS} chunks is drawn as one band per chunk of the other axis`, () => {
    const x = tk.array.zeros([120, 30], { chunks: [2, 10] });
    const rs = rects(x.reprHTML());
    expect(rs.length).toBe(3);
    expect(rs[0]!.title).toBe("block (0-59, 0): 60 chunks × 10");
  });

  test("3-d: the front face has one rect per chunk of the last two axes, the depth one band per chunk of axis 0", () => {
    const svg = chunkGridSVG([6, 4, 9], [[2, 2, 2], [1, 3], [3, 3, 3]]);
    expect(rects(svg).length).toBe(2 * 3);
    expect(svg.match(/<polygon/g)!.length).toBe(2 * 3);
    expect(chunkGridSVG([], [])).toBe("");
    expect(chunkGridSVG([2, 3, 4, 5], [[1, 1], [3], [4], [5]])).toContain("last 3 of 4 axes");
  });

  test("the text repr gives dtype, shape, chunk shape, chunk count, bytes and tasks", () => {
    const x = tk.array.ones([4000, 3000], { chunks: [1000, 1000] });
    expect(inspect(x)).toBe(`tusk.array.Array<float64, shape=(4000, 3000), chunks=(1000, 1000), 12 chunks, 96.00 MB, ${x[TUSK]().graph.size} tasks>`);
  });
});

describe("tk.display and the notebook", () => {
  test("a computed danfo frame shows as a table of its first and last 5 rows with the shape", async () => {
    const n = 30;
    const src = new dfd.DataFrame({ a: Array.from({ length: n }, (_, i) => i * 1.5), b: Array.from({ length: n }, (_, i) => `s<${i}>`) });
    const out = await tk.fromDanfo(src, { npartitions: 3 }).compute({ scheduler: "sync", progress: false });
    const { entries } = fakeNotebook();
    tk.display(out);
    const rows = tableRows(entries[0]![0]!);
    const values = out.values as unknown[][];
    const idx = [0, 1, 2, 3, 4, -1, 25, 26, 27, 28, 29];
    expect(rows[0]).toEqual(["", "a", "b"]);
    expect(rows.slice(1)).toEqual(idx.map((i) => (i < 0 ? ["…", "…", "…"] : [String(i), String(values[i]![0]), String(values[i]![1])])));
    expect(entries[0]![0]).toContain("30 rows × 2 columns");
  });

  test("a computed Series and tensor render; a collection shows its reprHTML", async () => {
    const { entries } = fakeNotebook();
    const s = await tk.fromDanfo(new dfd.DataFrame({ x: [3, 1, 2] }), { npartitions: 2 }).column("x").compute({ scheduler: "sync", progress: false });
    const arr = tk.array.arange(0, 6, 1, { chunks: 2 });
    const t = await arr.compute({ scheduler: "sync", progress: false });
    tk.display(s, t, arr);
    expect(tableRows(entries[0]![0]!).slice(1)).toEqual([["0", "3"], ["1", "1"], ["2", "2"]]);
    expect(entries[0]![1]).toContain("tf.Tensor&lt;float32&gt; shape=(6,)");
    expect(entries[0]![1]).toContain("[0, 1, 2, 3, 4, 5]");
    expect(entries[0]![2]).toBe(arr.reprHTML());
    t.dispose();
  });

  test("a collection printed at top level shows its HTML once; nested, or outside a notebook, only text", () => {
    const df = frameOf([["x", "float64"]], 2);
    const { entries } = fakeNotebook();
    const short = inspect(df);
    expect(entries[0]).toEqual([df.reprHTML()]);
    inspect([df, { df }]);
    expect(entries[0]!.length).toBe(1);
    setNotebookDisplay(null);
    const text = inspect(df);
    expect(text.split("\n")).toEqual([short, "  x  float64", "  2 partitions, rows unknown until computed"]);
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    tk.display(df);
    expect(log).toHaveBeenLastCalledWith(df); // console.log shows its text repr
    const danfo = new dfd.DataFrame({ a: [1, 2] });
    tk.display(danfo);
    expect(log).toHaveBeenLastCalledWith(danfo.toString()); // danfo's own table, not an object dump
    log.mockRestore();
  });

  test("compute in a notebook draws a bar in its own display entry that ends at 100% of the tasks", async () => {
    const { entries } = fakeNotebook();
    const inc = tk.delayed((x: number) => x + 1);
    let v: ReturnType<typeof inc> = inc(0);
    for (let i = 0; i < 200; i++) v = inc(v);
    let total = 0;
    const [out] = await tk.compute(v, { scheduler: "sync", progress: (ev: tk.ProgressEvent) => { total = ev.total; } });
    expect(out).toBe(201);
    expect(entries.length).toBe(2);
    const last = entries[1]!.at(-1)!;
    expect(last).toContain('data-state="finished"');
    expect(last).toContain(`100% · ${total}/${total} tasks`);
    await v.compute({ scheduler: "sync", progress: false });
    expect(entries.length).toBe(2);
  });

  test("the bar redraws at most every 200 ms, and a failure shows where it stopped", () => {
    const { fe, entries } = fakeNotebook();
    let now = 1000;
    const sink = notebookProgressSink(fe, () => now);
    for (let done = 1; done <= 100; done++) {
      now += 10;
      sink.update(done, 100, makeKey("inc-0123456789abcdef", done));
    }
    const drawn = entries[1]!;
    expect(drawn.length).toBe(1 + Math.floor((100 * 10) / PROGRESS_INTERVAL_MS)); // initial + throttled
    expect(drawn.at(-1)).toContain("100% · 100/100 tasks · 1.0 s · inc");
    sink.close(false);
    expect(drawn.at(-1)).toContain('data-state="failed"');
    expect(drawn.at(-1)).toContain("stopped at 100/100 tasks");
  });
});

describe("finding the tslab kernel", () => {
  test("found through the kernel's loaded tslab/dist/jupyter.js, whose sibling public.js is used; absent otherwise", () => {
    setNotebookDisplay(undefined);
    expect(inNotebook()).toBe(false); // vitest is no kernel
    const dir = mkdtempSync(join(tmpdir(), "tusk-fake-tslab-"));
    const dist = join(dir, "node_modules", "tslab", "dist");
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, "jupyter.js"), "exports.lastWriteDisplayData = null;\n");
    writeFileSync(join(dist, "public.js"), "const shown = [];\nexports.shown = shown;\n" +
      "exports.display = { html: (s) => shown.push(s), text: (s) => shown.push(s) };\nexports.newDisplay = () => exports.display;\n");
    const require = createRequire(import.meta.url);
    const kernel = join(dist, "jupyter.js");
    try {
      require(kernel); // what the running kernel has loaded
      setNotebookDisplay(undefined);
      const fe = notebookFrontEnd();
      expect(fe).not.toBeNull();
      const shown = (require(join(dist, "public.js")) as { shown: string[] }).shown;
      tk.display(frameOf([["x", "int32"]], 1));
      expect(shown.length).toBe(1);
      expect(shown[0]).toContain("npartitions=1");
    } finally {
      delete require.cache[kernel];
      delete require.cache[join(dist, "public.js")];
      rmSync(dir, { recursive: true, force: true });
      setNotebookDisplay(undefined);
    }
    expect(inNotebook()).toBe(false);
  });
});
