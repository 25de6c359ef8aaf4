/**
 * The scheduler's transition table: one function per allowed move of a task. A
 * transition changes only the task and the records it links to, appends instructions
 * for the outside world and recommends further moves; the engine in ./state.ts applies
 * recommendations until none are left. A move not in the table goes through
 * `released` when both halves exist (e.g. memory → waiting is memory → released →
 * waiting), otherwise it is an InvalidTransitionError.
 */
import type { Key } from "../../graph/key.js";
import type { SchedulerState } from "./state.js";
import type { SchedulerInstruction, SchedulerTask, SchedulerTaskStatus, SchedulerWorker, TaskFailure } from "./types.js";

/** What a transition produces besides its changes. */
export interface Step {
  readonly recs: Map<Key, SchedulerTaskStatus>;
  readonly out: SchedulerInstruction[];
}

/** Extra data some transitions take (the worker that finished, the error…). */
export interface TransitionArgs {
  worker?: SchedulerWorker;
  nbytes?: number;
  failure?: TaskFailure;
}

export type Transition = (s: SchedulerState, ts: SchedulerTask, step: Step, args: TransitionArgs) => void;

function needed(ts: SchedulerTask): boolean {
  return ts.whoWants.size > 0 || ts.waiters.size > 0;
}

/** A task nobody needs may be forgotten once no live task depends on it. */
function forgettable(ts: SchedulerTask): boolean {
  return ts.whoWants.size === 0 && ts.dependents.size === 0;
}

function recommendReleaseIfUnneeded(dep: SchedulerTask, step: Step): void {
  if (needed(dep)) return;
  if (dep.state === "memory" || dep.state === "waiting" || dep.state === "queued" || dep.state === "processing") step.recs.set(dep.key, "released");
  else if ((dep.state === "released" || dep.state === "erred") && forgettable(dep)) step.recs.set(dep.key, "forgotten");
}

const releasedToWaiting: Transition = (s, ts, step) => {
  ts.state = "waiting";
  ts.waitingOn.clear();
  for (const dep of ts.dependencies) {
    dep.waiters.add(ts);
    if (dep.state === "memory") continue;
    if (dep.state === "erred") {
      step.recs.set(ts.key, "erred");
      continue;
    }
    ts.waitingOn.add(dep);
    if (dep.state === "released") step.recs.set(dep.key, "waiting");
  }
  if (ts.waitingOn.size === 0 && step.recs.get(ts.key) !== "erred") step.recs.set(ts.key, "processing");
  void s;
};

const toProcessing: Transition = (s, ts, step) => {
  const ws = s.decideWorker(ts);
  if (!ws) {
    if (ts.state !== "queued") {
      ts.state = "queued";
      s.enqueue(ts);
    }
    return;
  }
  ts.state = "processing";
  ts.processingOn = ws;
  ts.forceWorker = undefined;
  ws.processing.add(ts);
  const whoHas: Record<string, string[]> = {};
  for (const dep of ts.dependencies) whoHas[dep.key] = [...dep.whoHas].map((w) => w.address);
  step.out.push({ type: "compute", worker: ws.id, task: ts.spec, priority: ts.priority, whoHas });
};

const waitingToQueued: Transition = (s, ts) => {
  ts.state = "queued";
  s.enqueue(ts);
};

function leaveProcessing(s: SchedulerState, ts: SchedulerTask, step: Step, cancel: boolean): void {
  const ws = ts.processingOn!;
  ws.processing.delete(ts);
  ts.processingOn = undefined;
  ts.stealTo = undefined;
  if (cancel && s.workers.has(ws.id)) step.out.push({ type: "free-keys", worker: ws.id, keys: [ts.key] });
}

const processingToMemory: Transition = (s, ts, step, args) => {
  const ws = args.worker!;
  leaveProcessing(s, ts, step, false);
  ts.state = "memory";
  ts.nbytes = args.nbytes ?? 0;
  ts.whoHas.add(ws);
  ws.hasWhat.add(ts);
  ws.nbytes += ts.nbytes;
  ts.killedOn.length = 0;
  ts.memoryAt = s.eventCount;
  afterMemory(ts, step);
};

/** Bookkeeping shared by every way of reaching memory. */
function afterMemory(ts: SchedulerTask, step: Step): void {
  for (const dependent of ts.dependents) {
    if (dependent.state !== "waiting") continue;
    dependent.waitingOn.delete(ts);
    if (dependent.waitingOn.size === 0) step.recs.set(dependent.key, "processing");
  }
  for (const dep of ts.dependencies) {
    dep.waiters.delete(ts);
    recommendReleaseIfUnneeded(dep, step);
  }
  const workers = [...ts.whoHas].map((w) => w.address);
  for (const client of ts.whoWants) step.out.push({ type: "key-in-memory", client, key: ts.key, workers });
  if (!needed(ts)) step.recs.set(ts.key, "released");
}

/** A result arrived without being computed here (hand-off from a leaving worker). */
const toMemoryFromData: Transition = (s, ts, step, args) => {
  if (ts.state === "processing") leaveProcessing(s, ts, step, true);
  if (ts.state === "waiting") for (const dep of ts.dependencies) dep.waiters.delete(ts);
  ts.waitingOn.clear();
  ts.state = "memory";
  ts.nbytes = args.nbytes ?? 0;
  ts.whoHas.add(args.worker!);
  args.worker!.hasWhat.add(ts);
  args.worker!.nbytes += ts.nbytes;
  ts.memoryAt = s.eventCount;
  afterMemory(ts, step);
};

/** Common tail of every move to released: stay for lineage, recompute, or forget. */
function settleReleased(ts: SchedulerTask, step: Step): void {
  if (needed(ts)) step.recs.set(ts.key, "waiting");
  else if (forgettable(ts)) step.recs.set(ts.key, "forgotten");
}

function dropWaiting(ts: SchedulerTask, step: Step): void {
  ts.waitingOn.clear();
  for (const dep of ts.dependencies) {
    dep.waiters.delete(ts);
    recommendReleaseIfUnneeded(dep, step);
  }
}

const processingToReleased: Transition = (s, ts, step) => {
  leaveProcessing(s, ts, step, true);
  ts.state = "released";
  if (!needed(ts)) dropWaiting(ts, step);
  settleReleased(ts, step);
};

const waitingToReleased: Transition = (_s, ts, step) => {
  ts.state = "released";
  if (!needed(ts)) dropWaiting(ts, step);
  else ts.waitingOn.clear();
  settleReleased(ts, step);
};

const memoryToReleased: Transition = (s, ts, step) => {
  for (const ws of ts.whoHas) {
    ws.hasWhat.delete(ts);
    ws.nbytes -= ts.nbytes;
    if (s.workers.has(ws.id)) step.out.push({ type: "free-keys", worker: ws.id, keys: [ts.key] });
  }
  ts.whoHas.clear();
  ts.state = "released";
  s.freeScratch(ts, step);
  for (const dependent of ts.dependents) {
    if (dependent.state === "waiting") dependent.waitingOn.add(ts);
    else if (dependent.state === "processing" || dependent.state === "queued") step.recs.set(dependent.key, "released");
  }
  settleReleased(ts, step);
};

function reportErred(s: SchedulerState, ts: SchedulerTask, step: Step): void {
  s.freeScratch(ts, step);
  const f = ts.failure!;
  for (const client of ts.whoWants) step.out.push({ type: "key-erred", client, key: ts.key, origin: f.origin, op: f.op, worker: f.worker, error: f.error });
  for (const dependent of ts.dependents) {
    if (dependent.state === "waiting" || dependent.state === "queued" || dependent.state === "released") {
      if (dependent.state !== "released" || needed(dependent)) step.recs.set(dependent.key, "erred");
    }
  }
  for (const dep of ts.dependencies) {
    dep.waiters.delete(ts);
    recommendReleaseIfUnneeded(dep, step);
  }
}

function inheritFailure(ts: SchedulerTask, args: TransitionArgs): void {
  if (args.failure) { ts.failure = args.failure; return; }
  if (ts.failure) return; // set by the caller (e.g. KilledWorker)
  const bad = [...ts.dependencies].find((d) => d.state === "erred");
  const f = bad?.failure;
  ts.failure = f
    ? { ...f }
    : { error: { name: "Error", message: "a dependency failed" }, worker: "", origin: ts.key, op: ts.spec.op };
}

const processingToErred: Transition = (s, ts, step, args) => {
  leaveProcessing(s, ts, step, false);
  ts.state = "erred";
  inheritFailure(ts, args);
  reportErred(s, ts, step);
};

const waitingToErred: Transition = (s, ts, step, args) => {
  ts.waitingOn.clear();
  ts.state = "erred";
  inheritFailure(ts, args);
  reportErred(s, ts, step);
};

const queuedToErred: Transition = (s, ts, step, args) => {
  s.dequeue(ts);
  waitingToErred(s, ts, step, args);
};

const queuedToReleased: Transition = (s, ts, step) => {
  s.dequeue(ts);
  waitingToReleased(s, ts, step, {});
};

const erredToReleased: Transition = (_s, ts, step) => {
  ts.state = "released";
  ts.failure = undefined;
  ts.killedOn.length = 0;
  settleReleased(ts, step);
};

const toForgotten: Transition = (s, ts, step) => {
  ts.state = "forgotten";
  s.remove(ts);
  s.freeScratch(ts, step);
  for (const dep of ts.dependencies) {
    dep.dependents.delete(ts);
    dep.waiters.delete(ts);
    recommendReleaseIfUnneeded(dep, step);
  }
};

/** The allowed moves. */
export const TRANSITIONS: Partial<Record<`${SchedulerTaskStatus}->${SchedulerTaskStatus}`, Transition>> = {
  "released->waiting": releasedToWaiting,
  "released->forgotten": toForgotten,
  "released->erred": waitingToErred,
  "released->memory": toMemoryFromData,
  "waiting->processing": toProcessing,
  "waiting->queued": waitingToQueued,
  "waiting->released": waitingToReleased,
  "waiting->erred": waitingToErred,
  "waiting->memory": toMemoryFromData,
  "queued->processing": toProcessing,
  "queued->released": queuedToReleased,
  "queued->erred": queuedToErred,
  "queued->memory": (s, ts, step, args) => { s.dequeue(ts); toMemoryFromData(s, ts, step, args); },
  "processing->memory": processingToMemory,
  "processing->released": processingToReleased,
  "processing->erred": processingToErred,
  "memory->released": memoryToReleased,
  "erred->released": erredToReleased,
  "erred->forgotten": toForgotten,
};
