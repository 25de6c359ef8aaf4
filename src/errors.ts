/**
 * Errors of tusk. Every error is a {@link TuskError} with a stable `code`; subclasses
 * follow what the caller can do about it. A message says what went wrong, shows actual
 * against expected, and gives the fix.
 */

/** Base class of every error tusk raises on purpose. */
export class TuskError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad input at a public boundary (an option, an argument). */
export class ValidationError extends TuskError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? "ERR_INVALID_ARG", message, options);
  }
}

/** A graph that cannot be built or run (missing key, cycle, closure in a shipped function). */
export class GraphError extends TuskError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Declared metadata (columns, dtypes, chunks) does not match what a computation produced. */
export class MetadataMismatchError extends TuskError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? "ERR_META_MISMATCH", message, options);
  }
}

/** A task raised. Carries the task key, its op, where it ran and the original error. */
export class TaskError extends TuskError {
  readonly key: string;
  readonly op: string;
  readonly worker: string | undefined;
  /** The stack of the original error, as it was where the task ran. */
  readonly remoteStack: string | undefined;
  constructor(info: { key: string; op: string; worker?: string; message: string; remoteStack?: string; cause?: unknown }) {
    const where = info.worker ? ` on ${info.worker}` : "";
    super("ERR_TASK_FAILED", `Task ${info.key} (op ${info.op}) failed${where}: ${info.message}`, { cause: info.cause });
    this.key = info.key;
    this.op = info.op;
    this.worker = info.worker;
    this.remoteStack = info.remoteStack;
    if (info.remoteStack) this.stack = `${this.name}: ${this.message}\n--- stack where the task ran ---\n${info.remoteStack}`;
  }
}

/** The computation was cancelled (AbortSignal, future.cancel(), client closed). */
export class CancelledError extends TuskError {
  constructor(message = "The computation was cancelled", options?: { cause?: unknown }) {
    super("ERR_CANCELLED", message, options);
  }
}

/** A state machine was asked to make a move its transition table does not allow. */
export class InvalidTransitionError extends TuskError {
  readonly key: string;
  readonly from: string;
  readonly to: string;
  readonly story: readonly unknown[];
  constructor(key: string, from: string, to: string, story: readonly unknown[] = []) {
    super("ERR_INVALID_TRANSITION", `Invalid transition of ${key}: ${from} -> ${to}`);
    this.key = key;
    this.from = from;
    this.to = to;
    this.story = story;
  }
}

/** A message broke the wire protocol (bad type, fields, sizes, token). */
export class ProtocolError extends TuskError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? "ERR_PROTOCOL", message, options);
  }
}

/** A task was running on workers that died too many times. */
export class KilledWorkerError extends TuskError {
  readonly key: string;
  constructor(key: string, message: string) {
    super("ERR_KILLED_WORKER", message);
    this.key = key;
  }
}

/** Describes any thrown value in one line, for messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
