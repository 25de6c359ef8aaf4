/**
 * Loading danfojs-node without paying for what a result frame never uses.
 *
 * `require("danfojs-node")` took 2-6 s here, nearly all of it in dependencies that
 * danfo's DataFrame and Series only touch in a few methods: mathjs (~60% of it: it
 * builds every typed function at load; danfo uses it for `median`/`mode`/`std`/`var`),
 * xlsx (`readExcel`/`toExcel`), request and node-fetch (reading URLs), table (`print`)
 * and TensorFlow.js (`tensor`, `sample`, the scalers and encoders). While danfo's own
 * modules load, a `require` of one of these from inside danfo gets a stand-in that
 * requires the real module on first use (a property read, a call) and forwards to it,
 * so every danfo method still works, and a script that never calls them never loads
 * them. Measured (2 cores, loaded): 5.7 s → 0.25 s to load danfo; a frame built,
 * printed and read back without touching the deferred modules.
 *
 * Two reads must not load the module:
 * - `__esModule`, read by TypeScript's `__importDefault` at danfo's load: the stand-in
 *   answers what the real module exports (`true` for node-fetch, absent for request);
 * - `tf.Tensor`, read by every NDframe constructor for `data instanceof tf.Tensor`:
 *   TensorFlow.js answers that check by duck typing (`data`, `dataSync` and
 *   `throwIfDisposed` present, see tfjs-core's `Tensor[Symbol.hasInstance]`), so the
 *   stand-in answers false to anything that fails the same test and asks the real class
 *   otherwise. Once TensorFlow.js is loaded, `tf.Tensor` is the real class.
 * If danfo was already loaded (the user imported it first), it is returned as is.
 */
import { createRequire } from "node:module";
import Module from "node:module";

type Danfo = typeof import("danfojs-node");
type Load = (request: string, parent: { filename?: string | null } | undefined, isMain: boolean) => unknown;

const require = createRequire(import.meta.url);

/** Modules danfo requires that load lazily, with what their `__esModule` reads as. */
const DEFERRED = new Map<string, boolean | undefined>([
  ["mathjs", true],
  ["xlsx", undefined],
  ["request", undefined],
  ["node-fetch", true],
  ["table", true],
  ["@tensorflow/tfjs-node", undefined],
]);

const TENSORFLOW = "@tensorflow/tfjs-node";

/** Matches tfjs-core's `Tensor[Symbol.hasInstance]`. */
function looksLikeTensor(x: unknown): boolean {
  const t = x as { data?: unknown; dataSync?: unknown; throwIfDisposed?: unknown } | null | undefined;
  return !!t && t.data != null && t.dataSync != null && t.throwIfDisposed != null;
}

/** A stand-in for module `request` that calls `load` on first use and forwards to it. */
function deferred(request: string, load: () => unknown): unknown {
  let real: Record<PropertyKey, unknown> | undefined;
  const get = (): Record<PropertyKey, unknown> => (real ??= load() as Record<PropertyKey, unknown>);
  const tensor = request === TENSORFLOW
    ? { [Symbol.hasInstance]: (x: unknown): boolean => looksLikeTensor(x) && x instanceof (get().Tensor as new () => unknown) }
    : undefined;
  // An arrow function as the target: callable (request is a function), and no
  // non-configurable own properties for the proxy invariants to trip on.
  return new Proxy(() => undefined, {
    get(_, key) {
      if (key === "__esModule" && real === undefined) return DEFERRED.get(request);
      if (key === "Tensor" && tensor && real === undefined) return tensor;
      return get()[key];
    },
    has: (_, key) => key in get(),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor(_, key) {
      const d = Reflect.getOwnPropertyDescriptor(get(), key);
      return d && { ...d, configurable: true };
    },
    set: (_, key, value) => Reflect.set(get(), key, value),
    apply: (_, self, args) => Reflect.apply(get() as unknown as (...a: unknown[]) => unknown, self, args),
  });
}

function fromDanfo(parent: { filename?: string | null } | undefined): boolean {
  const f = parent?.filename;
  return typeof f === "string" && /[\\/]danfojs-node[\\/]dist[\\/]/.test(f);
}

/** danfojs-node, with its heavy dependencies deferred to first use. */
export function requireDanfo(): Danfo {
  const mod = Module as unknown as { _load: Load };
  const original = mod._load;
  mod._load = function (this: unknown, request, parent, isMain) {
    if (DEFERRED.has(request) && fromDanfo(parent)) {
      return deferred(request, () => original.call(this, request, parent, isMain));
    }
    return original.call(this, request, parent, isMain);
  };
  try {
    const m = require("danfojs-node") as Danfo & { default?: Danfo };
    return m.default?.DataFrame ? m.default : m;
  } finally {
    mod._load = original;
  }
}
