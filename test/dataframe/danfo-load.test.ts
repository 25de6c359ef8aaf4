import { describe, expect, test } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { loadDanfo } from "../../src/dataframe/danfo.js";

describe("loadDanfo (heavy dependencies deferred to first use)", () => {
  test("gives real danfo classes whose methods that use mathjs, tfjs and table still work", async () => {
    const dfd = await loadDanfo();
    const df = new dfd.DataFrame({ a: [1, 2, 3, 10], b: ["x", "y", "z", "x"] }, { columns: ["a", "b"] });
    expect(df instanceof dfd.DataFrame).toBe(true);
    expect(df.column("a").median()).toBe(2.5);
    expect(df.column("a").std()).toBeCloseTo(4.0825, 4);
    expect(df.column("a").mode()).toEqual([1, 2, 3, 10]);
    expect(df.tensor.shape).toEqual([4, 2]);
    expect(df.toString()).toContain("10");
  });

  test("a TensorFlow.js tensor is still recognised as data, and plain data is not mistaken for one", async () => {
    const dfd = await loadDanfo();
    expect(new dfd.DataFrame(tf.tensor2d([[1, 2], [3, 4]])).values).toEqual([[1, 2], [3, 4]]);
    expect(new dfd.Series(tf.tensor1d([5, 6])).values).toEqual([5, 6]);
    const lookalike = { data: [1], dataSync: null };
    expect(new dfd.DataFrame([lookalike]).shape).toEqual([1, 2]);
  });

  test("is loaded once", async () => {
    expect(await loadDanfo()).toBe(await loadDanfo());
  });
});
