/**
 * Validation of every incoming message: its type must be one the receiver accepts from
 * that kind of peer, and every field must have the right type, size and range. The wire
 * decoder (./wire.ts) has already rejected prototype-polluting keys and deep nesting.
 * A failure is a {@link ProtocolError} saying which field is wrong and what was expected.
 */
import { ProtocolError } from "../../errors.js";
import type { Message, MessageType } from "./messages.js";

/** Sizes a validator accepts. */
export const LIMITS = {
  keyLength: 4096,
  opLength: 512,
  stringLength: 1 << 20,
  keysPerMessage: 10_000_000,
  argDepth: 64,
  modules: 1000,
} as const;

type Check = (v: unknown, path: string) => void;

function fail(path: string, expected: string, v: unknown): never {
  const got = v === null ? "null" : Array.isArray(v) ? `array(${v.length})` : typeof v === "string" ? `string(${v.length})` : typeof v;
  throw new ProtocolError(`invalid message: ${path} must be ${expected}, got ${got}`, { code: "ERR_BAD_MESSAGE" });
}

const str = (max: number = LIMITS.stringLength): Check => (v, p) => {
  if (typeof v !== "string" || v.length > max) fail(p, `a string of at most ${max} characters`, v);
};
const key: Check = str(LIMITS.keyLength);
const int = (min: number, max: number): Check => (v, p) => {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) fail(p, `an integer in [${min}, ${max}]`, v);
};
const num: Check = (v, p) => {
  if (typeof v !== "number" || Number.isNaN(v)) fail(p, "a number", v);
};
const nonneg: Check = (v, p) => {
  if (typeof v !== "number" || !(v >= 0)) fail(p, "a non-negative number", v);
};
const bool: Check = (v, p) => {
  if (typeof v !== "boolean") fail(p, "a boolean", v);
};
const any: Check = () => {};
const arr = (item: Check, max: number = LIMITS.keysPerMessage): Check => (v, p) => {
  if (!Array.isArray(v) || v.length > max) fail(p, `an array of at most ${max} items`, v);
  for (let i = 0; i < v.length; i++) item(v[i], `${p}[${i}]`);
};
const record = (item: Check, max: number = LIMITS.keysPerMessage): Check => (v, p) => {
  if (typeof v !== "object" || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) fail(p, "an object", v);
  const keys = Object.keys(v);
  if (keys.length > max) fail(p, `an object of at most ${max} entries`, v);
  for (const k of keys) {
    key(k, `${p} key`);
    item((v as Record<string, unknown>)[k], `${p}.${k}`);
  }
};
const oneOf = (values: readonly string[]): Check => (v, p) => {
  if (typeof v !== "string" || !values.includes(v)) fail(p, `one of ${values.join(", ")}`, v);
};
const bytes: Check = (v, p) => {
  if (!(v instanceof Uint8Array)) fail(p, "binary", v);
};
type Fields = Record<string, Check | { optional: Check }>;
const opt = (c: Check): { optional: Check } => ({ optional: c });
const obj = (fields: Fields, exact = true): Check => (v, p) => {
  if (typeof v !== "object" || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) fail(p, "an object", v);
  const o = v as Record<string, unknown>;
  for (const [name, c] of Object.entries(fields)) {
    const value = o[name];
    if (typeof c === "function") c(value, `${p}.${name}`);
    else if (value !== undefined && value !== null) c.optional(value, `${p}.${name}`);
  }
  if (exact) for (const k of Object.keys(o)) if (!(k in fields)) fail(`${p}.${k}`, "absent (unknown field)", o[k]);
};

function argCheck(depth: number): Check {
  return (v, p) => {
    if (depth > LIMITS.argDepth) fail(p, `nested at most ${LIMITS.argDepth} levels`, v);
    if (typeof v !== "object" || v === null || Array.isArray(v)) fail(p, "a task argument ({ref} | {lit} | {list} | {call})", v);
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length !== 1) fail(p, "a task argument with exactly one tag", v);
    if ("ref" in o) key(o.ref, `${p}.ref`);
    else if ("lit" in o) return;
    else if ("list" in o) arr(argCheck(depth + 1))(o.list, `${p}.list`);
    else if ("call" in o) obj({ op: str(LIMITS.opLength), args: arr(argCheck(depth + 1)) })(o.call, `${p}.call`);
    else fail(p, "a task argument ({ref} | {lit} | {list} | {call})", v);
  };
}
const taskCheck: Check = obj({ key, op: str(LIMITS.opLength), args: arr(argCheck(1)) });
const keys: Check = arr(key);
const remoteError: Check = obj({ name: str(1024), message: str(), stack: opt(str()), code: opt(str(256)) });
const encoded: Check = obj({ codec: str(256), meta: any, buffers: arr(bytes, 1_000_000) });
const id: Check = int(0, Number.MAX_SAFE_INTEGER);
const modules: Check = arr(str(8192), LIMITS.modules);
const scratchRange: Check = obj({ name: str(200), offset: int(0, Number.MAX_SAFE_INTEGER), length: int(0, 2 ** 31 - 1) });
const taskEvent: Check = obj({
  key, group: str(LIMITS.keyLength), worker: str(2048), startMs: nonneg, stopMs: nonneg, status: oneOf(["ok", "error"]), nbytes: opt(nonneg),
});

const SCHEMAS: Record<MessageType, Check> = {
  hello: obj({
    type: any, version: int(0, 1 << 30), role: oneOf(["client", "worker", "peer"]), token: str(4096),
    name: opt(str(256)), nthreads: opt(int(1, 4096)), memoryLimit: opt(nonneg), peerAddress: opt(str(2048)),
  }),
  welcome: obj({ type: any, version: int(0, 1 << 30), id: str(256) }),
  "update-graph": obj({ type: any, tasks: arr(taskCheck), keys, modules, retries: int(0, 1000), taskEvents: opt(bool) }),
  "release-keys": obj({ type: any, keys }),
  "who-has": obj({ type: any, id, keys }),
  "key-in-memory": obj({ type: any, key, workers: arr(str(2048), 100_000) }),
  "key-erred": obj({ type: any, key, origin: key, op: str(LIMITS.opLength), worker: str(2048), error: remoteError }),
  "task-events": obj({ type: any, events: arr(taskEvent, 100_000) }),
  "who-has-reply": obj({ type: any, id, who: record(arr(str(2048), 100_000)) }),
  "compute-task": obj({ type: any, task: taskCheck, priority: num, whoHas: record(arr(str(2048), 100_000)) }),
  "free-keys": obj({ type: any, keys }),
  "steal-request": obj({ type: any, key }),
  "import-modules": obj({ type: any, modules }),
  "close-worker": obj({ type: any, reason: str(4096) }),
  "free-scratch": obj({ type: any, keys }),
  "acquire-keys": obj({ type: any, keys, from: str(2048) }),
  "worker-retiring": obj({ type: any, reason: str(4096) }),
  "scratch-added": obj({ type: any, keys }),
  "scratch-lost": obj({ type: any, key, owner: key, from: str(2048) }),
  "get-scratch": obj({ type: any, id, owner: key, ranges: arr(scratchRange, 100_000) }),
  "scratch-data": obj({ type: any, id, data: arr(bytes, 100_000) }),
  heartbeat: obj({ type: any, memory: nonneg, managed: nonneg, spilled: nonneg, paused: bool, cpu: nonneg, executing: int(0, 1 << 20) }),
  "task-finished": obj({ type: any, key, nbytes: nonneg, startMs: opt(nonneg), stopMs: opt(nonneg) }),
  "task-erred": obj({ type: any, key, error: remoteError, startMs: opt(nonneg), stopMs: opt(nonneg) }),
  "missing-data": obj({ type: any, key, missing: key, from: str(2048) }),
  "steal-response": obj({ type: any, key, accepted: bool }),
  "add-keys": obj({ type: any, keys, nbytes: arr(nonneg) }),
  "worker-leaving": obj({ type: any, reason: str(4096) }),
  "get-data": obj({ type: any, id, keys }),
  data: obj({ type: any, id, values: record(encoded), missing: keys }),
  "put-data": obj({ type: any, id, values: record(encoded) }),
  "put-data-ack": obj({ type: any, id }),
  error: obj({ type: any, error: remoteError, id: opt(id) }),
};

/** Message types each receiver accepts, by who sends them. */
export const ACCEPTS = {
  schedulerFromClient: ["update-graph", "release-keys", "who-has"],
  schedulerFromWorker: ["heartbeat", "task-finished", "task-erred", "missing-data", "steal-response", "add-keys", "worker-leaving", "worker-retiring", "scratch-added", "scratch-lost"],
  workerFromScheduler: ["compute-task", "free-keys", "steal-request", "import-modules", "close-worker", "free-scratch", "acquire-keys", "error"],
  clientFromScheduler: ["key-in-memory", "key-erred", "who-has-reply", "task-events", "error"],
  peerServer: ["get-data", "put-data", "get-scratch"],
  peerClient: ["data", "put-data-ack", "scratch-data", "error"],
  handshake: ["hello"],
  handshakeReply: ["welcome", "error"],
} as const satisfies Record<string, readonly MessageType[]>;

/**
 * Checks a decoded message and returns it typed; throws {@link ProtocolError} when it is
 * not one of `accepted` or any field is wrong.
 */
export function validateMessage<T extends MessageType>(value: unknown, accepted: readonly T[]): Extract<Message, { type: T }> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail("message", "an object", value);
  const type = (value as { type?: unknown }).type;
  if (typeof type !== "string" || !(accepted as readonly string[]).includes(type)) {
    throw new ProtocolError(`unexpected message type ${JSON.stringify(typeof type === "string" ? type.slice(0, 64) : typeof type)}; expected one of ${accepted.join(", ")}`, { code: "ERR_BAD_MESSAGE" });
  }
  SCHEMAS[type as MessageType](value, type);
  if (type === "task-finished" || type === "task-erred") {
    const m = value as { startMs?: number | null; stopMs?: number | null };
    const has = (v: unknown): boolean => v !== undefined && v !== null;
    if (has(m.startMs) !== has(m.stopMs)) fail(`${type}.stopMs`, "given together with startMs", has(m.stopMs) ? m.stopMs : m.startMs);
    if (has(m.startMs) && m.stopMs! < m.startMs!) fail(`${type}.stopMs`, `at least startMs (${m.startMs})`, m.stopMs);
  }
  if (type === "add-keys") {
    const m = value as { keys: unknown[]; nbytes: unknown[] };
    if (m.keys.length !== m.nbytes.length) fail("add-keys.nbytes", `${m.keys.length} sizes`, m.nbytes);
  }
  return value as Extract<Message, { type: T }>;
}
