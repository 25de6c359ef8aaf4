/**
 * What the scheduler remembers for its dashboard: the workers' last heartbeats, the
 * task stream and progress per task group, and a snapshot of them cached for 250 ms
 * however many pages poll. The scheduler's server feeds it messages; it reads the
 * scheduler's state but never changes it.
 */
import type { Key } from "../../graph/key.js";
import type { TaskEvent } from "../../graph/task-events.js";
import type { SchedulerState } from "../scheduler/state.js";
import { buildSnapshot, GroupTracker, TaskStream, type DashboardSnapshot, type WorkerMetrics } from "./model.js";

/**
 * The dashboard's bookkeeping for one scheduler.
 * @example
 * const rec = new DashboardRecorder(state, 10_000);
 * rec.heartbeat("w1", metrics);             // on every heartbeat
 * rec.taskRan("w1", event);                 // on every task-finished / task-erred
 * rec.snapshot(0, { address, clients, now }); // for api/snapshot
 */
export class DashboardRecorder {
  readonly #state: SchedulerState;
  readonly #metrics = new Map<string, WorkerMetrics>();
  readonly #stream: TaskStream;
  readonly #groups = new GroupTracker();
  #observedAt = -1;
  /** No background recount before this time: a recount costs O(tasks), so it runs at most ~5% of the time. */
  #nextObserve = 0;
  #snapshot: { at: number; snap: DashboardSnapshot } | undefined;

  constructor(state: SchedulerState, taskStreamSize = 10_000) {
    this.#state = state;
    this.#stream = new TaskStream(taskStreamSize);
  }

  heartbeat(worker: string, metrics: WorkerMetrics): void {
    this.#metrics.set(worker, metrics);
  }

  workerGone(worker: string): void {
    this.#metrics.delete(worker);
  }

  /**
   * A worker reported a run of `key` (before the scheduler's state handles it). Progress
   * counts only a report the state machine will accept (not a stale duplicate); the
   * stream takes the run when it says when it ran.
   */
  taskRan(worker: string, key: Key, group: string, status: "ok" | "error", event: TaskEvent | undefined): void {
    const ts = this.#state.tasks.get(key);
    if (ts && ts.state === "processing" && ts.processingOn?.id === worker) this.#groups.finished(group, status);
    if (event) this.#stream.push(event);
  }

  /** Recounts the groups' live tasks when something changed, keeping the recount's share of time small. */
  observe(now: number): void {
    if (this.#observedAt === this.#state.transitionCount || now < this.#nextObserve) return;
    this.#observedAt = this.#state.transitionCount;
    const t0 = performance.now();
    this.#groups.observe(this.#state.tasks.values(), now);
    this.#nextObserve = now + 20 * (performance.now() - t0);
  }

  /**
   * What the dashboard shows, with task stream entries after `since`. The O(tasks) part
   * is computed at most every 250 ms.
   */
  snapshot(since: number, at: { address: string; clients: number; now: number }): DashboardSnapshot {
    const { now } = at;
    if (!this.#snapshot || now - this.#snapshot.at >= 250) {
      this.#observedAt = this.#state.transitionCount;
      const snap = buildSnapshot({
        state: this.#state, metrics: this.#metrics, stream: this.#stream, groups: this.#groups,
        address: at.address, clients: at.clients, since: this.#stream.lastSeq, now,
      });
      this.#snapshot = { at: now, snap };
    }
    const snap = this.#snapshot.snap;
    return { ...snap, stream: { lastSeq: this.#stream.lastSeq, entries: this.#stream.since(since, 5000) } };
  }
}
