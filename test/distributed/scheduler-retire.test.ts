/**
 * Graceful retirement in the pure scheduler state machine (Dask's retire_workers): a
 * retiring worker gets no new work, its running tasks move, each result only it holds
 * is copied to another worker, and it is let go once all are held elsewhere, so that
 * losing it afterwards recomputes nothing. Invariants are checked after every
 * transition (validate: true).
 */
import { describe, expect, test } from "vitest";
import { makeKey, type Key } from "../../src/graph/key.js";
import { lit, ref, task } from "../../src/graph/task.js";
import { SchedulerState, type SchedulerInstruction } from "../../src/distributed/scheduler/state.js";

/** Workers that run what they are told at once and copy what they are asked to. */
class Cluster {
  readonly s = new SchedulerState({ validate: true });
  readonly held = new Map<string, Set<Key>>();
  readonly running = new Map<string, Key[]>();
  readonly acquire: Array<{ worker: string; keys: Key[]; from: string }> = [];
  readonly retired: string[] = [];
  #n = 0;

  sid(): string { return `e-${this.#n++}`; }

  apply(out: SchedulerInstruction[]): void {
    for (const i of out) {
      if (i.type === "compute") this.running.get(i.worker)!.push(i.task.key);
      else if (i.type === "free-keys") {
        for (const k of i.keys) this.held.get(i.worker)?.delete(k);
        this.running.set(i.worker, (this.running.get(i.worker) ?? []).filter((k) => !i.keys.includes(k)));
      } else if (i.type === "acquire-keys") this.acquire.push(i);
      else if (i.type === "worker-retired") this.retired.push(i.worker);
    }
  }

  addWorker(id: string, nthreads = 1): void {
    this.held.set(id, new Set());
    this.running.set(id, []);
    this.apply(this.s.handle({ type: "worker-added", stimulusId: this.sid(), worker: id, address: `addr-${id}`, nthreads }));
  }

  drain(): void {
    for (let n = 0; n < 10_000; n++) {
      let any = false;
      for (const [w, list] of this.running) {
        const key = list.shift();
        if (key === undefined) continue;
        any = true;
        this.held.get(w)!.add(key);
        this.apply(this.s.handle({ type: "task-finished", stimulusId: this.sid(), worker: w, key, nbytes: 100 }));
      }
      if (!any) return;
    }
  }

  /** Carries out the copies: the target fetches from the retiring worker and reports them. */
  copy(): void {
    for (const a of this.acquire.splice(0)) {
      const from = [...this.held.keys()].find((w) => `addr-${w}` === a.from)!;
      const keys = a.keys.filter((k) => this.held.get(from)!.has(k));
      for (const k of keys) this.held.get(a.worker)!.add(k);
      this.apply(this.s.handle({ type: "keys-added", stimulusId: this.sid(), worker: a.worker, keys, nbytes: keys.map(() => 100) }));
    }
  }

  lose(id: string, graceful: boolean): void {
    this.held.delete(id);
    this.running.delete(id);
    this.apply(this.s.handle({ type: "worker-lost", stimulusId: this.sid(), worker: id, graceful }));
  }
}

const roots = Array.from({ length: 12 }, (_, i) => task(makeKey("data", i), "t.make", lit(i)));

describe("scheduler: retiring a worker", () => {
  test("its results are copied to the others, then it is let go; losing it recomputes nothing", () => {
    const c = new Cluster();
    for (const w of ["a", "b", "c"]) c.addWorker(w);
    c.apply(c.s.handle({ type: "graph-submitted", stimulusId: c.sid(), client: "u", tasks: roots, keys: roots.map((t) => t.key) }));
    c.drain();
    const own = [...c.held.get("a")!];
    expect(own.length).toBeGreaterThan(0);
    c.apply(c.s.handle({ type: "worker-retiring", stimulusId: c.sid(), worker: "a" }));
    // Exactly its results are asked for, spread over the others, never from a retiring worker to itself.
    const asked = c.acquire.flatMap((a) => a.keys).sort();
    expect(asked).toEqual([...own].sort());
    expect(c.acquire.every((a) => a.from === "addr-a" && a.worker !== "a")).toBe(true);
    expect(c.retired).toEqual([]);
    c.copy();
    expect(c.retired).toEqual(["a"]);
    const transitions = c.s.transitionCount;
    c.lose("a", true);
    expect(c.s.transitionCount).toBe(transitions);
    for (const t of roots) expect(c.s.tasks.get(t.key)!.state).toBe("memory");
  });

  test("a retiring worker gets no new tasks; what it was running goes to another worker", () => {
    const c = new Cluster();
    c.addWorker("a", 4);
    c.addWorker("b", 1);
    c.apply(c.s.handle({ type: "graph-submitted", stimulusId: c.sid(), client: "u", tasks: roots, keys: roots.map((t) => t.key) }));
    const onA = [...c.running.get("a")!];
    expect(onA.length).toBeGreaterThan(0);
    c.apply(c.s.handle({ type: "worker-retiring", stimulusId: c.sid(), worker: "a" }));
    expect(c.s.workers.get("a")!.processing.size).toBe(0);
    expect(c.running.get("a")).toEqual([]);
    const later = task(makeKey("later"), "t.make", lit(99));
    c.apply(c.s.handle({ type: "graph-submitted", stimulusId: c.sid(), client: "u", tasks: [later], keys: [later.key] }));
    c.drain();
    expect(c.held.get("a")!.size).toBe(0);
    for (const t of [...roots, later]) expect([...c.s.tasks.get(t.key)!.whoHas].map((w) => w.id)).toEqual(["b"]);
  });

  test("with no other worker it is let go at once; its results are recomputed from lineage later", () => {
    const c = new Cluster();
    c.addWorker("a");
    const dep = task(makeKey("dep"), "t.make", lit(1));
    const top = task(makeKey("top"), "t.inc", ref(dep.key));
    c.apply(c.s.handle({ type: "graph-submitted", stimulusId: c.sid(), client: "u", tasks: [dep, top], keys: [top.key] }));
    c.drain();
    c.apply(c.s.handle({ type: "worker-retiring", stimulusId: c.sid(), worker: "a" }));
    expect(c.acquire).toEqual([]);
    expect(c.retired).toEqual(["a"]);
    c.lose("a", true);
    expect(c.s.tasks.get(top.key)!.state).not.toBe("memory");
    c.addWorker("b");
    c.drain();
    expect(c.s.tasks.get(top.key)!.state).toBe("memory");
  });

  test("a result released while the copies are under way does not hold the retirement up", () => {
    const c = new Cluster();
    c.addWorker("a");
    c.addWorker("b");
    c.apply(c.s.handle({ type: "graph-submitted", stimulusId: c.sid(), client: "u", tasks: roots, keys: roots.map((t) => t.key) }));
    c.drain();
    const own = [...c.held.get("a")!];
    c.apply(c.s.handle({ type: "worker-retiring", stimulusId: c.sid(), worker: "a" }));
    // The client lets go of every result before any copy arrives: nothing is left to hand off.
    c.apply(c.s.handle({ type: "keys-released", stimulusId: c.sid(), client: "u", keys: own }));
    expect(c.retired).toEqual(["a"]);
  });
});
