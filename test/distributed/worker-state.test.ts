import { describe, expect, test } from "vitest";
import { makeKey, type Key } from "../../src/graph/key.js";
import { lit, ref, task } from "../../src/graph/task.js";
import { WorkerState, type WorkerInstruction } from "../../src/distributed/worker/state.js";

const k = (n: string): Key => makeKey(n);
const sends = (out: WorkerInstruction[]) => out.filter((i) => i.type === "send").map((i) => (i as { message: { type: string } }).message);

describe("worker state machine", () => {
  test("fetches inputs from peers, runs at most nthreads tasks, reports results, drops fetched inputs", () => {
    const w = new WorkerState({ nthreads: 1, validate: true });
    const a = k("a"), b = k("b");
    let out = w.handle({ type: "compute-task", stimulusId: "1", task: task(k("x"), "op", ref(a), ref(b)), priority: 1, whoHas: { [a]: ["peer1"], [b]: ["peer1"] } });
    expect(out).toEqual([{ type: "gather", from: "peer1", keys: [a, b] }]);
    out = w.handle({ type: "compute-task", stimulusId: "2", task: task(k("y"), "op", lit(1)), priority: 0, whoHas: {} });
    expect(out.map((i) => i.type)).toEqual(["execute"]);
    out = w.handle({ type: "gather-success", stimulusId: "3", from: "peer1", got: [[a, 8], [b, 8]], missing: [] });
    expect(out).toEqual([]); // x is ready but the only thread is busy with y
    out = w.handle({ type: "execute-success", stimulusId: "4", key: k("y"), nbytes: 8 });
    expect(sends(out)).toEqual([{ type: "task-finished", key: k("y"), nbytes: 8 }]);
    expect(out.find((i) => i.type === "execute")).toMatchObject({ key: k("x") });
    out = w.handle({ type: "execute-success", stimulusId: "5", key: k("x"), nbytes: 8 });
    expect(out.filter((i) => i.type === "release").map((i) => (i as { key: Key }).key).sort()).toEqual([a, b].sort());
    expect(w.tasks.has(a)).toBe(false);
    expect(w.tasks.get(k("x"))!.state).toBe("memory");
    out = w.handle({ type: "free-keys", stimulusId: "6", keys: [k("x")] });
    expect(out).toEqual([{ type: "release", key: k("x") }]);
    expect(w.story(k("x")).map((r) => r.to)).toEqual(["waiting", "ready", "executing", "memory", "released"]);
  });

  test("tries another holder, then reports missing data", () => {
    const w = new WorkerState({ nthreads: 2, validate: true });
    const a = k("a");
    w.handle({ type: "compute-task", stimulusId: "1", task: task(k("x"), "op", ref(a)), priority: 1, whoHas: { [a]: ["p1", "p2"] } });
    let out = w.handle({ type: "gather-failure", stimulusId: "2", from: "p1", keys: [a] });
    expect(out).toEqual([{ type: "gather", from: "p2", keys: [a] }]);
    out = w.handle({ type: "gather-success", stimulusId: "3", from: "p2", got: [], missing: [a] });
    expect(sends(out)).toEqual([{ type: "missing-data", key: k("x"), missing: a, from: "p2" }]);
    // The scheduler recomputes a elsewhere and sends x again with the new holder.
    out = w.handle({ type: "compute-task", stimulusId: "4", task: task(k("x"), "op", ref(a)), priority: 1, whoHas: { [a]: ["p3"] } });
    expect(out).toEqual([{ type: "gather", from: "p3", keys: [a] }]);
  });

  test("pauses: no new task starts until unpaused; steal takes only tasks not started", () => {
    const w = new WorkerState({ nthreads: 1, validate: true });
    w.handle({ type: "pause", stimulusId: "p" });
    let out = w.handle({ type: "compute-task", stimulusId: "1", task: task(k("x"), "op"), priority: 1, whoHas: {} });
    expect(out).toEqual([]);
    out = w.handle({ type: "steal-request", stimulusId: "s", key: k("x") });
    expect(sends(out)).toEqual([{ type: "steal-response", key: k("x"), accepted: true }]);
    w.handle({ type: "compute-task", stimulusId: "2", task: task(k("y"), "op"), priority: 1, whoHas: {} });
    out = w.handle({ type: "unpause", stimulusId: "u" });
    expect(out.map((i) => i.type)).toEqual(["execute"]);
    out = w.handle({ type: "steal-request", stimulusId: "s2", key: k("y") });
    expect(sends(out)).toEqual([{ type: "steal-response", key: k("y"), accepted: false }]);
  });

  test("a task freed while executing is cancelled and its result dropped", () => {
    const w = new WorkerState({ nthreads: 1, validate: true });
    w.handle({ type: "compute-task", stimulusId: "1", task: task(k("x"), "op"), priority: 1, whoHas: {} });
    w.handle({ type: "free-keys", stimulusId: "2", keys: [k("x")] });
    expect(w.tasks.get(k("x"))!.state).toBe("cancelled");
    const out = w.handle({ type: "execute-success", stimulusId: "3", key: k("x"), nbytes: 1 });
    expect(out).toEqual([{ type: "release", key: k("x") }]);
    expect(w.tasks.size).toBe(0);
  });

  test("errors are reported with the remote error", () => {
    const w = new WorkerState({ nthreads: 1, validate: true });
    w.handle({ type: "compute-task", stimulusId: "1", task: task(k("x"), "op"), priority: 1, whoHas: {} });
    const out = w.handle({ type: "execute-failure", stimulusId: "2", key: k("x"), error: { name: "Error", message: "no" } });
    expect(sends(out)).toEqual([{ type: "task-erred", key: k("x"), error: { name: "Error", message: "no" } }]);
  });
});
