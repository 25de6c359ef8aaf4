import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import * as tk from "../../src/index.js";
import { Client } from "../../src/distributed/client.js";
import { connect } from "../../src/distributed/comm/index.js";
import { sayHello } from "../../src/distributed/handshake.js";
import type { DashboardSnapshot } from "../../src/distributed/dashboard/model.js";
import { DASHBOARD_HTML, DASHBOARD_JS } from "../../src/distributed/dashboard/page.js";
import { createLogger } from "../../src/distributed/log.js";
import { ACCEPTS, validateMessage } from "../../src/distributed/protocol/validate.js";
import { SchedulerServer } from "../../src/distributed/scheduler/server.js";
import { WorkerServer } from "../../src/distributed/worker/server.js";
import { keyPrefix, makeKey } from "../../src/graph/key.js";
import { shipFunction } from "../../src/graph/shipped-function.js";
import { lit, ref, task } from "../../src/graph/task.js";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { addTaskEventListener, type TaskEvent } from "../../src/graph/task-events.js";

const logger = createLogger("test", { silent: true });
const token = "dashboard-test-token";
let scheduler: SchedulerServer;
const workers: WorkerServer[] = [];
let client: Client;
let base: string;

beforeAll(async () => {
  scheduler = await SchedulerServer.start({ port: 0, dashboardPort: 0, token, logger, state: { validate: true } });
  for (let i = 0; i < 2; i++) workers.push(await WorkerServer.start({ scheduler: scheduler.address, token, nthreads: 1, logger, name: `w${i}`, heartbeatMs: 100 }));
  client = await Client.connect(scheduler.address, { token, setAsDefault: false });
  base = scheduler.dashboardUrl!;
});

afterAll(async () => {
  await client?.close();
  for (const w of workers) await w.close("test over", { notify: false });
  await scheduler?.close();
  await shutdownPools();
});

const bearer = { authorization: `Bearer ${token}` };

describe("dashboard HTTP server", () => {
  test("without the token, or with a wrong one, every page is refused with 401 and says how to pass it", async () => {
    for (const path of ["", "static/dashboard.js", "api/snapshot", "json"]) {
      const none = await fetch(base + path);
      expect(none.status).toBe(401);
      expect(await none.text()).toMatch(/token=/);
    }
    expect((await fetch(`${base}?token=wrong`, { redirect: "manual" })).status).toBe(401);
    expect((await fetch(`${base}api/snapshot`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await fetch(`${base}api/snapshot`, { headers: { cookie: `tusk-dashboard-${new URL(base).port}=forged` } })).status).toBe(401);
  });

  test("?token= once gives a cookie (not the token) and a redirect without the token; the cookie then opens the page", async () => {
    const res = await fetch(`${base}?token=${token}&x=1`, { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/?x=1");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(token);
    const pair = cookie.split(";")[0]!;
    const page = await fetch(base, { headers: { cookie: pair } });
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(DASHBOARD_HTML);
    expect((await fetch(`${base}static/dashboard.js`, { headers: { cookie: pair } })).status).toBe(200);
  });

  test("read-only: anything but GET and HEAD is 405; responses forbid other origins by CSP", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const res = await fetch(`${base}api/snapshot`, { method, headers: bearer });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
    }
    const res = await fetch(base, { headers: bearer });
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'none'; script-src 'self'/);
    expect(res.headers.get("content-security-policy")).toMatch(/connect-src 'self'/);
    // The page and its script name no other origin.
    expect(DASHBOARD_HTML).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(DASHBOARD_JS).not.toMatch(/fetch\(\s*"(https?:)?\/\//);
    expect((await fetch(`${base}nope`, { headers: bearer })).status).toBe(404);
  });

  test("listens on the scheduler's host (127.0.0.1 by default)", () => {
    expect(new URL(base).hostname).toBe("127.0.0.1");
  });
});

describe("what the dashboard and the client see of a computation", () => {
  test("task events reach the client that computed (onTaskEvents on a cluster), and the dashboard's stream, groups and workers agree", async () => {
    const events: TaskEvent[] = [];
    const off = addTaskEventListener((batch) => events.push(...batch));
    const inc = tk.delayed((x: number) => x + 1, { name: "inc" });
    const double = tk.delayed((x: number) => 2 * x, { name: "double" });
    const total = tk.delayed((xs: number[]) => xs.reduce((a, b) => a + b, 0), { name: "total" });
    const n = 30;
    const ins = Array.from({ length: n }, (_, i) => inc(i));
    const graph = total([...ins, ...ins.map((x) => double(x))] as unknown as number[]);
    let out: number;
    try {
      out = await graph.compute({ scheduler: client, progress: false });
    } finally {
      off();
    }
    // 30 inc + 30 double + 1 total; brute force: sum(i + 1) + sum(2(i + 1)).
    expect(out).toBe(3 * (n * (n + 1)) / 2);
    const byGroup = new Map<string, number>();
    for (const e of events) byGroup.set(e.group, (byGroup.get(e.group) ?? 0) + 1);
    expect(Object.fromEntries(byGroup)).toEqual({ inc: n, double: n, total: 1 });
    expect(new Set(events.map((e) => e.key)).size).toBe(events.length);
    for (const e of events) {
      expect(e.group).toBe(keyPrefix(e.key));
      expect(["w0", "w1"]).toContain(e.worker);
      expect(e.status).toBe("ok");
      expect(e.stopMs).toBeGreaterThanOrEqual(e.startMs);
      expect(Math.abs(e.stopMs - Date.now())).toBeLessThan(10 * 60_000);
    }
    // A task starts after the tasks it reads have stopped (same machine, same clock).
    const stopOf = new Map(events.map((e) => [e.key, e.stopMs]));
    const totalEvent = events.find((e) => e.group === "total")!;
    expect(totalEvent.startMs).toBeGreaterThanOrEqual(Math.max(...events.filter((e) => e.group !== "total").map((e) => stopOf.get(e.key)!)) - 1);

    // The dashboard saw the same runs.
    const snap = await (await fetch(`${base}api/snapshot?since=0`, { headers: bearer })).json() as DashboardSnapshot;
    const streamKeys = new Set(snap.stream.entries.map((e) => e.key));
    for (const e of events) expect(streamKeys.has(e.key)).toBe(true);
    // Once released, every bar is complete with its whole count done.
    await vi.waitFor(async () => {
      const s = await (await fetch(`${base}json`, { headers: bearer })).json() as DashboardSnapshot;
      const bars = Object.fromEntries(s.groups.map((g) => [g.name, g]));
      expect(bars.inc).toMatchObject({ done: n, total: n, complete: true });
      expect(bars.double).toMatchObject({ done: n, total: n, complete: true });
      expect(bars.total).toMatchObject({ done: 1, total: 1, complete: true });
      expect(s.stream.entries).toEqual([]);
    }, { timeout: 10_000, interval: 200 });
    // Heartbeats: memory and CPU of both workers.
    await vi.waitFor(async () => {
      const s = await (await fetch(`${base}json`, { headers: bearer })).json() as DashboardSnapshot;
      expect(s.workers.map((w) => w.id).sort()).toEqual(["w0", "w1"]);
      for (const w of s.workers) {
        expect(w.rss).toBeGreaterThan(0);
        expect(w.unmanaged).toBe(Math.max(0, w.rss - w.managed));
        expect(w.heartbeatAgeMs).toBeGreaterThanOrEqual(0);
        expect(w.cpu).toBeGreaterThanOrEqual(0);
      }
    }, { timeout: 10_000, interval: 200 });
  });

  test("a client gets task-events only when it asks, and always before the result they led to", async () => {
    const run = async (taskEvents: boolean): Promise<string[]> => {
      const comm = await connect(scheduler.address);
      await sayHello(comm, { role: "client", token });
      const seen: string[] = [];
      const done = new Promise<void>((resolve) => comm.onMessage((raw) => {
        const m = validateMessage(raw, ACCEPTS.clientFromScheduler);
        seen.push(m.type === "task-events" ? `events:${m.events.map((e) => e.key).sort().join(",")}` : m.type);
        if (m.type === "key-in-memory") resolve();
      }));
      const a = makeKey(`raw-a-${taskEvents}`), b = makeKey(`raw-b-${taskEvents}`);
      const fn = lit(shipFunction((x: number) => x + 1, "test", "(x) => x + 1"));
      comm.send({
        type: "update-graph", tasks: [task(a, "tusk.call", fn, lit(1)), task(b, "tusk.call", fn, ref(a))], keys: [b], modules: [], retries: 0,
        ...(taskEvents ? { taskEvents: true } : {}),
      });
      await done;
      comm.send({ type: "release-keys", keys: [b] });
      comm.close("done");
      return seen;
    };
    expect(await run(false)).toEqual(["key-in-memory"]);
    const seen = await run(true);
    expect(seen[seen.length - 1]).toBe("key-in-memory");
    const keys = seen.filter((s) => s.startsWith("events:")).flatMap((s) => s.slice(7).split(","));
    expect(keys.sort()).toEqual(["raw-a-true", "raw-b-true"]);
  });
});

describe("protocol checks of the new fields", () => {
  test("heartbeats must carry cpu and executing; run times come in pairs, stop not before start", () => {
    const hb = { type: "heartbeat", memory: 1, managed: 0, spilled: 0, paused: false };
    expect(() => validateMessage(hb, ACCEPTS.schedulerFromWorker)).toThrow(/heartbeat\.cpu must be a non-negative number/);
    expect(validateMessage({ ...hb, cpu: 12.5, executing: 1 }, ACCEPTS.schedulerFromWorker).type).toBe("heartbeat");
    expect(() => validateMessage({ ...hb, cpu: 1, executing: -1 }, ACCEPTS.schedulerFromWorker)).toThrow(/heartbeat\.executing/);
    const fin = { type: "task-finished", key: "a", nbytes: 8 };
    expect(validateMessage(fin, ACCEPTS.schedulerFromWorker).type).toBe("task-finished");
    expect(validateMessage({ ...fin, startMs: 1, stopMs: 2 }, ACCEPTS.schedulerFromWorker).type).toBe("task-finished");
    expect(() => validateMessage({ ...fin, startMs: 1 }, ACCEPTS.schedulerFromWorker)).toThrow(/stopMs must be given together with startMs/);
    expect(() => validateMessage({ ...fin, startMs: 5, stopMs: 2 }, ACCEPTS.schedulerFromWorker)).toThrow(/stopMs must be at least startMs/);
    expect(() => validateMessage({ type: "task-events", events: [{ key: "a", group: "a", worker: "w", startMs: 1, stopMs: 2, status: "maybe" }] }, ACCEPTS.clientFromScheduler))
      .toThrow(/status must be one of ok, error/);
    expect(() => validateMessage({ type: "task-events", events: [] }, ACCEPTS.schedulerFromClient)).toThrow(/unexpected message type "task-events"/);
  });
});
