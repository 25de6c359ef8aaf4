/**
 * A simulated cluster around the pure scheduler state machine: workers that "run" a
 * task by evaluating it as the sum of its inputs plus a number in its literal, holding
 * values per worker; used by state-machine tests and the model-based test.
 */
import { makeKey, type Key } from "../../src/graph/key.js";
import { dependencies, lit, ref, task, type Task } from "../../src/graph/task.js";
import { SchedulerState, type SchedulerInstruction } from "../../src/distributed/scheduler/state.js";

export interface SimWorker { id: string; address: string; values: Map<Key, number>; running: Array<{ task: Task; whoHas: Record<string, string[]> }> }

export class Sim {
  readonly s: SchedulerState;
  readonly workers = new Map<string, SimWorker>();
  readonly reports = new Map<string, Map<Key, { state: "memory" | "erred"; message?: string }>>();
  readonly fail = new Set<Key>();
  #sid = 0;
  #next = 0;

  constructor(validate = true) {
    this.s = new SchedulerState({ validate, maxTransitionsPerEvent: 1_000_000 });
  }

  sid(what: string): string { return `${what}-${this.#sid++}`; }

  apply(out: SchedulerInstruction[]): void {
    for (const i of out) {
      if (i.type === "compute") this.workers.get(i.worker)?.running.push({ task: i.task, whoHas: i.whoHas });
      else if (i.type === "free-keys") {
        const w = this.workers.get(i.worker);
        if (!w) continue;
        for (const k of i.keys) { w.values.delete(k); w.running = w.running.filter((r) => r.task.key !== k); }
      } else if (i.type === "steal-request") {
        const w = this.workers.get(i.worker)!;
        const idx = w.running.findIndex((r) => r.task.key === i.key);
        if (idx >= 0) w.running.splice(idx, 1);
        this.apply(this.s.handle({ type: "steal-response", stimulusId: this.sid("steal"), worker: i.worker, key: i.key, accepted: idx >= 0 }));
      } else if (i.type === "key-in-memory" || i.type === "key-erred") {
        let m = this.reports.get(i.client);
        if (!m) this.reports.set(i.client, (m = new Map()));
        m.set(i.key, i.type === "key-in-memory" ? { state: "memory" } : { state: "erred", message: i.error.message });
      }
    }
  }

  addWorker(nthreads = 2): string {
    const id = `w${this.#next++}`;
    this.workers.set(id, { id, address: `sim://${id}`, values: new Map(), running: [] });
    this.apply(this.s.handle({ type: "worker-added", stimulusId: this.sid("add"), worker: id, address: `sim://${id}`, nthreads }));
    return id;
  }

  killWorker(id: string): void {
    this.workers.delete(id);
    this.apply(this.s.handle({ type: "worker-lost", stimulusId: this.sid("lost"), worker: id }));
  }

  submit(client: string, tasks: Task[], keys: Key[], retries = 0): void {
    this.apply(this.s.handle({ type: "graph-submitted", stimulusId: this.sid("graph"), client, tasks, keys, retries }));
  }

  release(client: string, keys: Key[]): void {
    this.apply(this.s.handle({ type: "keys-released", stimulusId: this.sid("release"), client, keys }));
    const m = this.reports.get(client);
    for (const k of keys) m?.delete(k);
  }

  /** Runs the oldest running task of a worker; returns false when it had none. */
  step(id: string, pick = 0): boolean {
    const w = this.workers.get(id);
    if (!w || w.running.length === 0) return false;
    const { task: t, whoHas } = w.running.splice(pick % w.running.length, 1)[0]!;
    let sum = Number((t.args[0] as { lit: number }).lit);
    for (const d of dependencies(t)) {
      const local = w.values.get(d);
      const holder = local !== undefined ? w : [...this.workers.values()].find((o) => (whoHas[d] ?? []).includes(o.address) && o.values.has(d));
      if (!holder) {
        const from = (whoHas[d] ?? [])[0] ?? "";
        this.apply(this.s.handle({ type: "missing-data", stimulusId: this.sid("missing"), worker: id, key: t.key, missing: d, from }));
        return true;
      }
      sum += holder.values.get(d)!;
    }
    if (this.fail.has(t.key)) {
      this.apply(this.s.handle({ type: "task-erred", stimulusId: this.sid("erred"), worker: id, key: t.key, error: { name: "Error", message: `boom in ${t.key}` } }));
      return true;
    }
    w.values.set(t.key, sum);
    this.apply(this.s.handle({ type: "task-finished", stimulusId: this.sid("done"), worker: id, key: t.key, nbytes: 8 }));
    return true;
  }

  /** Steps every worker until nothing runs. */
  drain(limit = 100_000): void {
    for (let n = 0; n < limit; n++) {
      let any = false;
      for (const id of [...this.workers.keys()]) any = this.step(id) || any;
      if (!any) return;
    }
    throw new Error("sim did not settle");
  }

  value(key: Key): number | undefined {
    for (const w of this.workers.values()) if (w.values.has(key)) return w.values.get(key);
    return undefined;
  }
}

/** A random layered DAG: value(task) = literal + sum of inputs. */
export function randomGraph(seed: number, n: number, prefix = "t"): { tasks: Task[]; expected: Map<Key, number> } {
  let x = seed >>> 0 || 1;
  const rnd = (): number => { x ^= x << 13; x >>>= 0; x ^= x >> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
  const tasks: Task[] = [];
  const expected = new Map<Key, number>();
  for (let i = 0; i < n; i++) {
    const key = makeKey(`${prefix}-${seed}`, i);
    const deps: Key[] = [];
    if (i > 0) {
      const k = Math.floor(rnd() * 3);
      for (let j = 0; j < k; j++) deps.push(tasks[Math.floor(rnd() * i)]!.key);
    }
    const uniq = [...new Set(deps)];
    const v = i + 1;
    tasks.push(task(key, "sim.add", lit(v), ...uniq.map(ref)));
    expected.set(key, v + uniq.reduce((a, d) => a + expected.get(d)!, 0));
  }
  return { tasks, expected };
}
