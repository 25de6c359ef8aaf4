import { afterAll, describe, expect, test, vi } from "vitest";
import { computeOne } from "../../src/graph/compute.js";
import { makeKey, makeName } from "../../src/graph/key.js";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { PROGRESS_DELAY_MS, progressSink } from "../../src/graph/progress.js";
import type { ProgressEvent } from "../../src/graph/scheduler.js";
import { lit, task } from "../../src/graph/task.js";
import { rawCollection } from "./_collection.js";
import "./_ops.js";

afterAll(() => shutdownPools());

function flatTasks(n: number) {
  const name = makeName("progress", n, Math.random());
  return { tasks: Array.from({ length: n }, (_, i) => task(makeKey(name, i), "test.inc", lit(i))) };
}

function flat(n: number) {
  const { tasks } = flatTasks(n);
  return rawCollection(tasks, tasks.map((t) => t.key));
}

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, write: (s: string) => { written.push(s); return true; } } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe.each(["sync", "threads"] as const)("progress callback on %s", (scheduler) => {
  test("events are monotone, end at the total, and never come synchronously", async () => {
    const events: ProgressEvent[] = [];
    let insideCall = true;
    let calledSynchronously = false;
    const running = computeOne(flat(3000), {
      scheduler, nthreads: 2,
      progress: (ev) => { if (insideCall) calledSynchronously = true; events.push(ev); },
    });
    insideCall = false;
    await running;
    expect(calledSynchronously).toBe(false);
    expect(events.length).toBeGreaterThan(0);
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.done).toBeGreaterThanOrEqual(events[i - 1]!.done);
      expect(events[i]!.elapsedMs).toBeGreaterThanOrEqual(events[i - 1]!.elapsedMs);
    }
    expect(events.every((e) => e.total === 3000)).toBe(true);
    expect(events[events.length - 1]!.done).toBe(3000);
  });
});

describe("progress bar", () => {
  test("renders on a TTY, redrawn in place, ending at 100%", () => {
    const { stream, written } = fakeStream(true);
    const sink = progressSink({ bar: true, stream, delayMs: 0 })!;
    sink.update(5, 10);
    sink.update(10, 10);
    sink.close(true);
    expect(written[0]).toMatch(/^\r\[#{15} {15}\]  50% 5\/10 tasks \d+\.\ds$/);
    expect(written[written.length - 1]).toMatch(/^\r\[#{30}\] 100% 10\/10 tasks \d+\.\ds\n$/);
  });

  test("silent when the stream is not a TTY", () => {
    const { stream, written } = fakeStream(false);
    expect(progressSink({ bar: true, stream })).toBeUndefined();
    expect(written).toEqual([]);
  });

  test("appears only after the delay; while a task runs the clock still moves", () => {
    vi.useFakeTimers();
    try {
      const { stream, written } = fakeStream(true);
      const sink = progressSink({ bar: true, stream })!;
      sink.update(1, 4);
      vi.advanceTimersByTime(PROGRESS_DELAY_MS - 100);
      expect(written).toEqual([]);
      vi.advanceTimersByTime(300); // past the delay: drawn by the timer, no task finished
      expect(written.length).toBeGreaterThan(0);
      expect(written[written.length - 1]).toMatch(/^\r\[#{8} {22}\]  25% 1\/4 tasks 0\.[67]s$/);
      vi.advanceTimersByTime(1000);
      expect(written[written.length - 1]).toMatch(/ 1\/4 tasks 1\.[67]s$/);
      sink.close(true);
      expect(written[written.length - 1]).toMatch(/^\r\[#{30}\] 100% 4\/4 tasks 1\.[67]s\n$/);
      const count = written.length;
      vi.advanceTimersByTime(1000);
      expect(written.length).toBe(count); // the timer stopped with close
    } finally {
      vi.useRealTimers();
    }
  });

  test("a short computation draws nothing", () => {
    vi.useFakeTimers();
    try {
      const { stream, written } = fakeStream(true);
      const sink = progressSink({ bar: true, stream })!;
      sink.update(5, 10);
      vi.advanceTimersByTime(PROGRESS_DELAY_MS - 50);
      sink.update(10, 10);
      sink.close(true);
      expect(written).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  test("compute draws on a TTY stderr once long, and not with progress: false", async () => {
    const original = Object.getOwnPropertyDescriptor(process.stderr, "isTTY");
    Object.defineProperty(process.stderr, "isTTY", { value: true, configurable: true });
    const spy = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      await computeOne(flat(200), { scheduler: "sync", progress: false });
      expect(spy.mock.calls.filter(([s]) => String(s).includes("tasks"))).toEqual([]);
      // 200 trivial tasks and one that spins past the delay.
      const slow = task(makeKey(makeName("slow", Math.random())), "test.spin", lit(new Int32Array(new SharedArrayBuffer(8))), lit(PROGRESS_DELAY_MS + 100));
      const { tasks } = flatTasks(200);
      await computeOne(rawCollection([...tasks, slow], [...tasks.map((t) => t.key), slow.key]), { scheduler: "sync" });
      const drawn = spy.mock.calls.map(([s]) => String(s)).filter((s) => s.includes("tasks"));
      expect(drawn.length).toBeGreaterThan(0);
      expect(drawn[drawn.length - 1]).toContain("201/201 tasks");
    } finally {
      spy.mockRestore();
      if (original) Object.defineProperty(process.stderr, "isTTY", original);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
  });
});
