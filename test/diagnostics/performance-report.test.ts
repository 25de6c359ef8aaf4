import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as dfd from "danfojs-node";
import { afterAll, describe, expect, test } from "vitest";
import { fromDanfo } from "../../src/dataframe/index.js";
import { delayed } from "../../src/delayed/delayed.js";
import { performanceReport } from "../../src/diagnostics/performance-report.js";
import { renderReport } from "../../src/diagnostics/report-html.js";
import { TaskError, ValidationError } from "../../src/errors.js";
import { TUSK, type Collection } from "../../src/graph/collection.js";
import { prepareGraph } from "../../src/graph/compute.js";
import { keyPrefix, type Key } from "../../src/graph/key.js";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { addTaskEventListener, type TaskEvent } from "../../src/graph/task-events.js";

const dir = mkdtempSync(join(tmpdir(), "tusk-report-"));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdownPools();
});

interface ReportJSON {
  tasks: number;
  errors: number;
  scheduler: string;
  workers: string[];
  error: string | null;
  groups: Array<{ group: string; count: number; errors: number; totalMs: number }>;
}

/** The embedded data, and the group table rows as the page shows them. */
function parse(html: string): { data: ReportJSON; rows: Map<string, number> } {
  const m = /<script type="application\/json" id="tusk-report-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  const data = JSON.parse(m![1]!) as ReportJSON;
  const rows = new Map<string, number>();
  for (const r of html.matchAll(/<tr data-group="([^"]*)" data-count="(\d+)"/g)) rows.set(unescape(r[1]!), Number(r[2]));
  return { data, rows };
}

function unescape(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

/** Tasks per group of the graph compute() runs for `c` (culled, optimized, fused). */
function graphGroups(...cs: Collection[]): Map<string, number> {
  const { graph } = prepareGraph(cs.map((c) => c[TUSK]()));
  const out = new Map<string, number>();
  for (const k of graph.keys()) out.set(keyPrefix(k), (out.get(keyPrefix(k)) ?? 0) + 1);
  return out;
}

/** The page loads nothing from outside: no URLs at all, no external script/style/image. */
function expectSelfContained(html: string): void {
  expect(html).not.toMatch(/https?:\/\//);
  expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
  expect(html).not.toMatch(/<link[^>]*href=/i);
  expect(html).not.toMatch(/<img[^>]*src=/i);
  expect(html).not.toMatch(/url\(/i);
  expect(html).toMatch(/^<!DOCTYPE html>/);
  expect(html.trimEnd()).toMatch(/<\/html>$/);
}

describe.each(["sync", "threads"] as const)("performanceReport on %s", (scheduler) => {
  test("a delayed computation: every task group with its count, the task stream and memory", async () => {
    const file = join(dir, `delayed-${scheduler}.html`);
    const inc = delayed(function inc(x: number) { return x + 1; });
    const total = delayed(function total(xs: number[]) { return xs.reduce((a, b) => a + b, 0); });
    const result = total(Array.from({ length: 60 }, (_, i) => inc(i)));
    const expected = graphGroups(result);
    const seen: TaskEvent[] = [];
    const off = addTaskEventListener((b) => seen.push(...b));
    const value = await performanceReport(file, () => result.compute({ scheduler, nthreads: 2, progress: false }));
    off();
    expect(value).toBe((60 * 61) / 2);

    const html = readFileSync(file, "utf8");
    expectSelfContained(html);
    const { data, rows } = parse(html);
    expect(rows).toEqual(expected);
    expect(new Map(data.groups.map((g) => [g.group, g.count]))).toEqual(expected);
    expect(data.tasks).toBe(seen.length);
    expect(data.errors).toBe(0);
    expect(data.error).toBeNull();
    expect(data.scheduler).toMatch(scheduler === "sync" ? /^sync/ : /^threads/);
    expect(data.workers).toEqual([...new Set(seen.map((e) => e.worker))].sort());
    // Each task is a block of its own (its key in the hover title) or counted in a merged
    // block of back-to-back tasks narrower than a pixel; one row label per worker.
    const stream = /<svg id="stream"[\s\S]*?<\/svg>/.exec(html)![0];
    const titles = [...stream.matchAll(/<rect [^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]!);
    const merged = titles.map((t) => /^(\d+) tasks \(/.exec(t)).filter((m): m is RegExpExecArray => m !== null);
    const single = titles.filter((t) => !/^\d+ tasks \(/.test(t)).map((t) => t.split("\n")[0]!);
    expect(single.length + merged.reduce((s, m) => s + Number(m[1]), 0)).toBe(seen.length);
    for (const k of single) expect(seen.map((e) => e.key)).toContain(k);
    for (const w of data.workers) expect(stream).toContain(`>${w}</text>`);
    expect(html).toMatch(/<polyline points="[\d., ]+"/); // memory over time
  });
});

describe("performanceReport", () => {
  test("a dataframe computation on threads: groups match the graph it ran", async () => {
    const file = join(dir, "frame.html");
    const n = 400;
    const pdf = new dfd.DataFrame({ a: Array.from({ length: n }, (_, i) => i % 7), b: Array.from({ length: n }, (_, i) => i * 0.5) });
    const df = fromDanfo(pdf, { npartitions: 8 });
    const s = df.column("a").add(df.column("b")).sum();
    const expected = graphGroups(s);
    const got = await performanceReport(file, () => s.compute({ scheduler: "threads", nthreads: 2, progress: false }), { title: "frame <sum>" });
    expect(got).toBeCloseTo((pdf.column("a").add(pdf.column("b")).sum() as number), 9);
    const html = readFileSync(file, "utf8");
    expectSelfContained(html);
    expect(html).toContain("<title>frame &lt;sum&gt;</title>");
    const { data, rows } = parse(html);
    expect(rows).toEqual(expected);
    expect(data.tasks).toBe([...expected.values()].reduce((a, b) => a + b, 0));
  });

  test("when the callback throws: the report is written, marked failed, and the error rethrown", async () => {
    const file = join(dir, "failed.html");
    const ok = delayed(function fine(x: number) { return x * 2; });
    const bad = delayed(function explode(x: number): number { throw new RangeError(`bad input ${x}`); });
    const err = await performanceReport(file, () => bad(ok(3)).compute({ scheduler: "sync", progress: false, optimize: false }))
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect((err as Error).message).toContain("bad input 6");
    const html = readFileSync(file, "utf8");
    expectSelfContained(html);
    const { data, rows } = parse(html);
    expect(data.error).toContain("bad input 6");
    expect(html).toContain("failed: ");
    expect(rows).toEqual(new Map([["fine", 1], ["explode", 1]]));
    expect(data.groups.find((g) => g.group === "explode")!.errors).toBe(1);
    expect(html).toMatch(/class="g\d err"/);
  });

  test("a callback that throws before computing anything still gets a (empty) report", async () => {
    const file = join(dir, "empty.html");
    await expect(performanceReport(file, () => { throw new Error("nope"); })).rejects.toThrow("nope");
    const { data, rows } = parse(readFileSync(file, "utf8"));
    expect(data.tasks).toBe(0);
    expect(rows.size).toBe(0);
    expect(data.error).toBe("Error: nope");
  });

  test("a stream of 100,000 tiny tasks stays a small page; every task is counted in some block", () => {
    const events: TaskEvent[] = [];
    const t0 = 1e12;
    for (let w = 0; w < 2; w++) {
      let t = t0;
      for (let i = 0; i < 50_000; i++) {
        const ms = i % 500 === 0 ? 20 : 0.01; // a few wide tasks among tiny ones of two groups
        events.push({ key: `k${w}-${i}` as Key, group: i % 3 === 0 ? "even" : "odd", worker: `thread-${w + 1}`, startMs: t, stopMs: t + ms, status: "ok" });
        t += ms + 0.002;
      }
    }
    const html = renderReport({ title: "big", startMs: t0, stopMs: t0 + 2000, events, memory: [] });
    const stream = /<svg id="stream"[\s\S]*?<\/svg>/.exec(html)![0];
    const titles = [...stream.matchAll(/<rect [^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]!);
    expect(titles.length).toBeLessThan(2 * 1000); // at most about one block per pixel and row
    const counted = titles.reduce((n, t) => n + Number(/^(\d+) tasks \(/.exec(t)?.[1] ?? 1), 0);
    expect(counted).toBe(events.length);
    expect(html.length).toBeLessThan(1e6);
    const { rows } = parse(html);
    expect(rows).toEqual(new Map([["odd", 2 * 33_333], ["even", 2 * 16_667]]));
  });

  test("bad arguments reject (never throw synchronously) with what to pass", async () => {
    const p = performanceReport("", async () => 1);
    expect(p).toBeInstanceOf(Promise);
    await expect(p).rejects.toBeInstanceOf(ValidationError);
    await expect(p).rejects.toThrow(/filename must be a non-empty path/);
    await expect(performanceReport(join(dir, "x.html"), 5 as never)).rejects.toThrow(/must be a function/);
    await expect(performanceReport(join(dir, "x.html"), () => 1, { sampleIntervalMs: 0 })).rejects.toThrow(/sampleIntervalMs/);
  });
});
