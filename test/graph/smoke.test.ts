import { afterAll, describe, expect, test } from "vitest";
import * as tk from "../../src/index.js";

afterAll(() => tk.shutdown());

describe.each(["sync", "threads"] as const)("delayed on %s", (scheduler) => {
  test("sums 1000 increments", async () => {
    const inc = tk.delayed((x: number) => x + 1);
    const total = tk.delayed((xs: number[]) => xs.reduce((a, b) => a + b, 0));
    const out = await total(Array.from({ length: 1000 }, (_, i) => inc(i))).compute({ scheduler, progress: false });
    expect(out).toBe(500500);
  });
});
