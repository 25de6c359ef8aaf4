/**
 * The dashboard in a real browser: headless Debian chromium driven by playwright-core
 * watches a LocalCluster (2 workers, a token) while a few hundred sleeping tasks run,
 * and checks what the page shows: both workers with memory bars, a progress bar per
 * task group that advances, task-stream rectangles, the graph; that a browser without
 * the token is refused; and that the page asks nothing of any other origin. The loads
 * wait for gate files the test creates stage by stage, so the page is observed
 * mid-computation however loaded the machine is (no timing assumptions). Saves a
 * screenshot taken mid-computation (docs/images/dashboard.png, or
 * $TUSK_DASHBOARD_SCREENSHOT). Run by scripts/ci-browser.sh (vitest.browser.config.ts),
 * not by `npm test`: it needs /usr/bin/chromium.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { expect, test } from "vitest";
import * as tk from "../../src/index.js";

const CHROMIUM = process.env.TUSK_CHROMIUM ?? "/usr/bin/chromium";
const SCREENSHOT = process.env.TUSK_DASHBOARD_SCREENSHOT ?? resolve(dirname(fileURLToPath(import.meta.url)), "../../docs/images/dashboard.png");

/** Polls `probe` until it returns a value, or fails after `timeoutMs` saying what it waited for. */
async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The little of the DOM these checks read (the project compiles without the DOM library). */
interface El {
  readonly dataset: Record<string, string | undefined>;
  readonly classList: { contains(name: string): boolean };
  readonly className: string;
  readonly style: { readonly width: string };
  readonly textContent: string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
}

/** Progress bars as the page shows them. */
function readBars(page: Page): Promise<Array<{ name: string; done: number; total: number; complete: boolean }>> {
  return page.$$eval(".group", (rows) => (rows as unknown as El[]).map((r) => ({
    name: r.dataset.group ?? "",
    done: Number(r.dataset.done),
    total: Number(r.dataset.total),
    complete: r.classList.contains("complete"),
  })));
}

test("the dashboard shows workers, progress, the task stream and the graph of a running computation, only with the token", async () => {
  const token = "browser-test-token-0123456789";
  let cluster: tk.LocalCluster | undefined;
  let client: tk.Client | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const gates = mkdtempSync(join(tmpdir(), "tusk-dashboard-gates-"));
  const open = (stage: number): void => writeFileSync(join(gates, `go-${stage}`), "");
  try {
    [cluster, browser] = await Promise.all([
      tk.LocalCluster.start({ nWorkers: 2, threadsPerWorker: 2, token, memoryLimit: "1GB" }),
      chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"], timeout: 60_000 }),
    ]);
    client = await tk.Client.connect(cluster.address, { token, setAsDefault: false });
    const base = cluster.dashboardUrl!;
    const origin = new URL(base).origin;

    const context = await browser.newContext({ viewport: { width: 1400, height: 800 } });
    const pg = await context.newPage();
    page = pg;
    const requests: string[] = [];
    pg.on("request", (r) => requests.push(r.url()));
    const pageErrors: string[] = [];
    pg.on("pageerror", (e) => pageErrors.push(String(e)));

    // Open with the token once: the server answers with a cookie and drops the token from the address.
    const opened = await pg.goto(`${base}?token=${token}`, { timeout: 30_000 });
    expect(opened?.status()).toBe(200);
    expect(pg.url()).toBe(base);
    await until("both workers listed", async () => (await pg.$$("tr.worker")).length === 2);

    // 240 loads in three stages (a load waits for its stage's gate file); each read by an
    // inc and a square; partial sums of 20 of each; a total. Tasks sleep rather than spin
    // (the machine is shared).
    const load = tk.delayed((i: number, dir: string, stage: number) => {
      const fs = process.getBuiltinModule("node:fs");
      const cell = new Int32Array(new SharedArrayBuffer(4));
      const deadline = Date.now() + 170_000;
      while (!fs.existsSync(`${dir}/go-${stage}`)) {
        if (Date.now() > deadline) throw new Error(`gate ${stage} was never opened`);
        Atomics.wait(cell, 0, 0, 20);
      }
      Atomics.wait(cell, 0, 0, 30);
      return i;
    }, { name: "load" });
    const inc = tk.delayed((x: number) => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); return x + 1; }, { name: "inc" });
    const square = tk.delayed((x: number) => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); return x * x; }, { name: "square" });
    const partial = tk.delayed((xs: number[]) => xs.reduce((a, b) => a + b, 0), { name: "partial" });
    const total = tk.delayed((xs: number[]) => xs.reduce((a, b) => a + b, 0), { name: "total" });
    const n = 240, stage = 80;
    const loads = Array.from({ length: n }, (_, i) => load(i, gates, Math.floor(i / stage)));
    const incs = loads.map((x) => inc(x));
    const squares = loads.map((x) => square(x));
    const parts = Array.from({ length: n / 20 }, (_, j) => partial([...incs.slice(j * 20, j * 20 + 20), ...squares.slice(j * 20, j * 20 + 20)] as unknown as number[]));
    open(0);
    const running = total(parts as unknown as number[]).compute({ scheduler: client, progress: false });
    let finished = false;
    void running.then(() => { finished = true; }, () => { finished = true; });

    // Workers: both listed, each with a memory bar of managed / unmanaged / spilled parts.
    const workers = await until("two workers with memory figures", async () => {
      const rows = await pg.$$eval("tr.worker", (trs) => (trs as unknown as El[]).map((tr) => ({
        id: tr.dataset.worker,
        parts: Array.from(tr.querySelectorAll(".mem-bar > span")).map((s) => s.className),
        unmanagedWidth: parseFloat(tr.querySelector(".mem-bar .unmanaged")?.style.width ?? "0"),
        figures: tr.querySelector(".memory .figures")?.textContent ?? "",
      })));
      return rows.length === 2 && rows.every((r) => r.unmanagedWidth > 0) ? rows : undefined;
    });
    expect(workers.map((w) => w.id).sort()).toEqual(["local-0", "local-1"]);
    for (const w of workers) {
      expect(w.parts).toEqual(["managed", "unmanaged", "spilled"]);
      expect(w.figures).toMatch(/ \/ 1\.0 GB/); // against the 1 GB limit
    }

    // Progress: a bar per task group. Stage 0's loads run to their gate (80 of 240); their
    // incs and squares follow as threads allow (loads of the next stage waiting at their
    // gate may hold every thread, so only the loads' count is exact).
    const bar = (bars: Awaited<ReturnType<typeof readBars>>, name: string) => bars.find((b) => b.name === name);
    const after = (bars: Awaited<ReturnType<typeof readBars>>): number => (bar(bars, "inc")?.done ?? 0) + (bar(bars, "square")?.done ?? 0);
    const first = await until("the load bar at the first gate", async () => {
      const bars = await readBars(pg);
      return bar(bars, "load")?.done === stage && after(bars) > 0 ? bars : undefined;
    });
    for (const g of ["load", "inc", "square"]) expect(bar(first, g)).toMatchObject({ total: n, complete: false });
    expect(after(first)).toBeLessThanOrEqual(2 * stage);
    expect(bar(first, "partial")).toMatchObject({ total: n / 20 });
    expect(bar(first, "total")).toMatchObject({ total: 1, done: 0 });

    // Task stream: rectangles for what ran, on the two workers' rows.
    const rects1 = await until("task stream rectangles", async () => {
      const c = await pg.$$eval("#stream rect.task", (rs) => rs.length);
      return c >= stage ? c : undefined;
    });
    const streamWorkers = await pg.$$eval("#stream rect.task", (rs) => [...new Set((rs as unknown as El[]).map((r) => r.dataset.worker))].sort());
    expect(streamWorkers).toEqual(["local-0", "local-1"]);

    // Open the next stage: the bars advance and more rectangles appear, live.
    open(1);
    await until("the bars to advance past the first gate", async () => {
      const bars = await readBars(pg);
      return bar(bars, "load")?.done === 2 * stage && after(bars) > after(first);
    });
    await until("more task stream rectangles", async () => (await pg.$$eval("#stream rect.task", (rs) => rs.length)) > rects1);

    // The graph: task groups and their dependencies.
    const graph = await until("the graph drawn", async () => {
      const nodes = await pg.$$eval("#graph .node", (gs) => (gs as unknown as El[]).map((g) => g.dataset.id));
      const edges = await pg.$$eval("#graph .edge", (es) => es.length);
      return nodes.length >= 5 && edges >= 5 ? { nodes, edges } : undefined;
    });
    expect(graph.nodes.sort()).toEqual(["inc", "load", "partial", "square", "total"]);
    expect(graph.edges).toBe(5); // load→inc, load→square, inc→partial, square→partial, partial→total

    // A picture of it mid-computation (the last stage is still behind its gate).
    expect(finished).toBe(false);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await pg.screenshot({ path: SCREENSHOT, fullPage: true });
    open(2);

    // The result is right, and every bar ends complete.
    const expected = Array.from({ length: n }, (_, i) => i + 1 + i * i).reduce((a, b) => a + b, 0);
    expect(await running).toBe(expected);
    await until("every bar full", async () => {
      const bars = await readBars(pg);
      return bars.length === 5 && bars.every((b) => b.done === b.total && b.total > 0);
    });

    // Without the token: refused, with a page that says how to pass it.
    const stranger = await browser.newContext();
    const refused = await (await stranger.newPage()).goto(base, { timeout: 30_000 });
    expect(refused?.status()).toBe(401);
    expect(await refused?.text()).toMatch(/\?token=/);
    const wrong = await (await stranger.newPage()).goto(`${base}api/snapshot?token=nope`, { timeout: 30_000 });
    expect(wrong?.status()).toBe(401);
    await stranger.close();

    // Everything the page loaded came from the dashboard itself.
    expect(requests.length).toBeGreaterThan(3);
    expect(requests.filter((u) => !u.startsWith("data:") && new URL(u).origin !== origin)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await context.close();
  } catch (error) {
    // Keep what the page showed when it failed, next to the screenshot.
    await page?.screenshot({ path: SCREENSHOT.replace(/\.png$/, "-failure.png"), fullPage: true }).catch(() => undefined);
    const api = await page?.evaluate(() => fetch("api/snapshot?since=0").then((r) => r.text())).catch((e: unknown) => String(e));
    console.error(`dashboard test failed; api/snapshot said: ${String(api).slice(0, 3000)}`);
    throw error;
  } finally {
    for (let s = 0; s < 3; s++) open(s); // never leave a load waiting
    await browser?.close();
    await client?.close();
    await cluster?.close();
    rmSync(gates, { recursive: true, force: true });
  }
});
