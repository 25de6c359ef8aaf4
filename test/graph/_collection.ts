/** A bare collection over a hand-built graph, for tests of the graph core. */
import { TUSK, type Collection } from "../../src/graph/collection.js";
import { LayeredGraph, layer } from "../../src/graph/graph.js";
import { makeName, type Key } from "../../src/graph/key.js";
import type { Task } from "../../src/graph/task.js";

export function rawCollection(tasks: readonly Task[], keys: readonly Key[], name = makeName("raw", keys)): Collection<unknown[]> {
  const graph = new LayeredGraph([layer(name, tasks)]);
  const make = (g: LayeredGraph): Collection<unknown[]> => ({
    [TUSK]: () => ({ graph: g, keys, finalize: (values: unknown[]) => values, rebuild: make }),
  });
  return make(graph);
}
