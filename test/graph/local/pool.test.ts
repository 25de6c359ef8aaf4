import { afterAll, expect, test } from "vitest";
import { getPool, shutdownPools } from "../../../src/graph/local/pool.js";

afterAll(() => shutdownPools());

test("a late result of an aborted batch (piscina's 'Unexpected message from Worker') does not crash the process", () => {
  const pool = getPool(1);
  // Without a listener, EventEmitter.emit("error") throws: that is what crashed a run
  // when a batch was aborted while its thread was already posting the result.
  expect(() => pool.emit("error", new Error("Unexpected message from Worker: { taskId: 20 }"))).not.toThrow();
});
