/**
 * Scratch files in the pure scheduler state machine (a shuffle's buckets): who holds
 * files of which owner key, when they are deleted, and what a lost holder re-runs.
 * Invariants are checked after every transition (validate: true).
 *
 *   in#0 ─► split#0 ─┐
 *   in#1 ─► split#1 ─┼─► barrier (owns the splits' files) ─┬─► collect#0
 *   in#2 ─► split#2 ─┘                                      └─► collect#1
 */
import { describe, expect, test } from "vitest";
import { makeKey, type Key } from "../../src/graph/key.js";
import { list, lit, ref, task, type Task } from "../../src/graph/task.js";
import { SchedulerState, type SchedulerInstruction } from "../../src/distributed/scheduler/state.js";

const inKeys = [0, 1, 2].map((i) => makeKey("in", i));
const splitKeys = [0, 1, 2].map((i) => makeKey("split", i));
const barrier = makeKey("barrier");
const collectKeys = [0, 1].map((i) => makeKey("collect", i));

function shuffleGraph(): Task[] {
  return [
    ...inKeys.map((k) => task(k, "t.in", lit(1))),
    ...splitKeys.map((k, i) => task(k, "t.split", ref(inKeys[i]!))),
    task(barrier, "t.barrier", list(splitKeys.map(ref))),
    ...collectKeys.map((k) => task(k, "t.collect", ref(barrier))),
  ];
}

/** The scheduler with workers that run tasks when told; splits report scratch files. */
class Mini {
  readonly s = new SchedulerState({ validate: true });
  readonly running = new Map<string, Key[]>();
  readonly freedScratch: Array<[string, Key]> = [];
  readonly inMemory = new Set<Key>();
  #n = 0;

  sid(): string { return `e-${this.#n++}`; }

  apply(out: SchedulerInstruction[]): void {
    for (const i of out) {
      if (i.type === "compute") this.running.get(i.worker)!.push(i.task.key);
      else if (i.type === "free-keys") this.running.set(i.worker, this.running.get(i.worker)!.filter((k) => !i.keys.includes(k)));
      else if (i.type === "free-scratch") for (const k of i.keys) this.freedScratch.push([i.worker, k]);
      else if (i.type === "key-in-memory") this.inMemory.add(i.key);
    }
  }

  addWorker(id: string): void {
    this.running.set(id, []);
    this.apply(this.s.handle({ type: "worker-added", stimulusId: this.sid(), worker: id, address: `addr-${id}`, nthreads: 1 }));
  }

  /** Finishes the first running task of `worker` (a split first says it wrote files). */
  finish(worker: string): Key | undefined {
    const key = this.running.get(worker)!.shift();
    if (key === undefined) return undefined;
    if (key.startsWith("split")) this.apply(this.s.handle({ type: "scratch-added", stimulusId: this.sid(), worker, keys: [barrier] }));
    this.apply(this.s.handle({ type: "task-finished", stimulusId: this.sid(), worker, key, nbytes: 8 }));
    return key;
  }

  /** Runs everything; `until` stops early when it returns true. */
  drain(until: () => boolean = () => false): void {
    for (let n = 0; n < 1000; n++) {
      if (until()) return;
      let any = false;
      for (const w of this.running.keys()) any = this.finish(w) !== undefined || any;
      if (!any) return;
    }
    throw new Error("did not settle");
  }

  state(key: Key): string | undefined {
    return this.s.tasks.get(key)?.state;
  }
}

describe("scheduler: scratch files", () => {
  test("every holder deletes the owner's files once its readers are done", () => {
    const m = new Mini();
    m.addWorker("a");
    m.addWorker("b");
    m.apply(m.s.handle({ type: "graph-submitted", stimulusId: m.sid(), client: "c", tasks: shuffleGraph(), keys: collectKeys }));
    m.drain(() => m.state(barrier) === "memory");
    const holders = [...m.s.scratch.get(barrier)!].map((w) => w.id).sort();
    expect(holders.length).toBeGreaterThan(0);
    expect(m.freedScratch).toEqual([]);
    m.drain();
    expect(collectKeys.every((k) => m.inMemory.has(k))).toBe(true);
    expect(m.freedScratch.map(([w]) => w).sort()).toEqual(holders);
    expect(m.s.scratch.size).toBe(0);
  });

  test("files reported for an owner that is gone are deleted at once", () => {
    const m = new Mini();
    m.addWorker("a");
    m.apply(m.s.handle({ type: "scratch-added", stimulusId: m.sid(), worker: "a", keys: [makeKey("nobody")] }));
    expect(m.freedScratch).toEqual([["a", makeKey("nobody")]]);
    expect(m.s.scratch.size).toBe(0);
  });

  test("losing a holder re-runs the owner and its splits; a reader's report about the dead worker only re-runs the reader", () => {
    const m = new Mini();
    m.addWorker("a");
    m.addWorker("b");
    m.apply(m.s.handle({ type: "graph-submitted", stimulusId: m.sid(), client: "c", tasks: shuffleGraph(), keys: collectKeys }));
    m.drain(() => m.state(barrier) === "memory");
    const victim = [...m.s.scratch.get(barrier)!][0]!.id;
    const survivor = victim === "a" ? "b" : "a";
    // A reader on the survivor is running when the victim dies.
    m.drain(() => collectKeys.some((k) => m.s.tasks.get(k)!.processingOn?.id === survivor));
    const reader = collectKeys.find((k) => m.s.tasks.get(k)!.processingOn?.id === survivor)!;
    const splitsRun = m.s.transitionCount;
    m.running.delete(victim);
    m.apply(m.s.handle({ type: "worker-lost", stimulusId: m.sid(), worker: victim }));
    expect(m.state(barrier)).not.toBe("memory");
    expect(m.s.transitionCount).toBeGreaterThan(splitsRun);
    // Every split runs again (their files on the victim are gone).
    expect(splitKeys.every((k) => m.state(k) !== "released")).toBe(true);
    // The old run of the reader now reports it could not fetch from the victim: stale.
    m.apply(m.s.handle({ type: "scratch-lost", stimulusId: m.sid(), worker: survivor, key: reader, owner: barrier, from: `addr-${victim}` }));
    m.drain();
    expect(collectKeys.every((k) => m.state(k) === "memory")).toBe(true);
    expect(m.s.scratch.size).toBe(0);
  });

  test("files gone from a live worker re-run the owner, at most allowedFailures times, then the reader errs", () => {
    const m = new Mini();
    m.addWorker("a");
    m.apply(m.s.handle({ type: "graph-submitted", stimulusId: m.sid(), client: "c", tasks: shuffleGraph(), keys: collectKeys }));
    let reruns = 0;
    for (let round = 0; round < 10; round++) {
      m.drain(() => m.s.tasks.get(collectKeys[0]!)?.state === "processing");
      if (m.state(collectKeys[0]!) !== "processing") break;
      const before = m.state(barrier);
      m.running.set("a", m.running.get("a")!.filter((k) => k !== collectKeys[0]));
      m.apply(m.s.handle({ type: "scratch-lost", stimulusId: m.sid(), worker: "a", key: collectKeys[0]!, owner: barrier, from: "addr-a" }));
      if (before === "memory" && m.state(barrier) !== "memory") reruns++;
    }
    expect(reruns).toBe(m.s.options.allowedFailures);
    expect(m.state(collectKeys[0]!)).toBe("erred");
    expect(m.s.tasks.get(collectKeys[0]!)!.failure!.error.message).toMatch(/could not read the scratch files of barrier on the worker at addr-a, 4 times/);
  });
});
