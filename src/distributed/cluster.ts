/**
 * `LocalCluster`: a real scheduler and real worker processes on 127.0.0.1 (child
 * processes running the `tusk` CLI), for laptops and tests. Processes are stopped by
 * `close()`, and killed if this process exits first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { TuskError, ValidationError } from "../errors.js";
import { parseBytes } from "../graph/sizes.js";

/** Options of {@link LocalCluster.start}. */
export interface LocalClusterOptions {
  nWorkers?: number;
  threadsPerWorker?: number;
  /** Per worker: bytes or "2GB". */
  memoryLimit?: number | string;
  /** Default: a fresh random token. */
  token?: string;
  localDirectory?: string;
  /** Extra arguments for every worker (e.g. ["--allow-modules", "file:///srv/ops/"]). */
  workerArgs?: string[];
  /** Extra arguments for the scheduler. */
  schedulerArgs?: string[];
  /** Show the processes' logs on this process's stderr (default false). */
  logs?: boolean;
}

function cliCommand(): { cmd: string; args: string[] } {
  const self = import.meta.url;
  if (self.endsWith(".ts")) return { cmd: process.execPath, args: ["--import", "tsx", fileURLToPath(new URL("../cli.ts", self))] };
  return { cmd: process.execPath, args: [fileURLToPath(new URL("../cli.js", self))] };
}

const live = new Set<ChildProcess>();
let exitHook = false;

function track(child: ChildProcess): void {
  live.add(child);
  child.once("exit", () => live.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => { for (const c of live) c.kill("SIGKILL"); });
  }
}

/** Keeps reading a child's output so it never blocks on a full pipe. */
function drain(child: ChildProcess, show: boolean): void {
  child.stdout!.resume();
  if (show) child.stderr!.pipe(process.stderr);
  else child.stderr!.resume();
}

/** Waits for a line matching `pattern` on the child's stdout. */
function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    let errors = "";
    const timer = setTimeout(() => done(new TuskError("ERR_CLUSTER_START", `${what} did not start within ${timeoutMs} ms. Its output:\n${errors.slice(-2000)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString();
      const m = buffer.match(pattern);
      if (m) done(undefined, m);
    };
    const onErr = (chunk: Buffer): void => { errors += chunk.toString(); };
    const onExit = (code: number | null): void => done(new TuskError("ERR_CLUSTER_START", `${what} exited with code ${code} before it started:\n${errors.slice(-2000)}`));
    const done = (error?: Error, m?: RegExpMatchArray): void => {
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      child.stderr!.off("data", onErr);
      child.off("exit", onExit);
      if (error) reject(error); else resolve(m!);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onErr);
    child.once("exit", onExit);
  });
}

/**
 * A scheduler and workers on this machine.
 * @example
 * const cluster = await tk.LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 });
 * const client = await tk.Client.connect(cluster.address, { token: cluster.token });
 * …
 * await client.close(); await cluster.close();
 */
export class LocalCluster {
  readonly address: string;
  readonly token: string;
  /**
   * The scheduler's dashboard (workers, progress, task stream, graph). It needs the
   * token: open `${cluster.dashboardUrl}?token=${cluster.token}` once in a browser (it
   * then keeps a cookie), or send `Authorization: Bearer <token>` from scripts.
   */
  readonly dashboardUrl: string | undefined;
  readonly #scheduler: ChildProcess;
  readonly #workers: ChildProcess[] = [];
  readonly #opts: LocalClusterOptions;
  #n = 0;

  private constructor(address: string, token: string, dashboard: string | undefined, scheduler: ChildProcess, opts: LocalClusterOptions) {
    this.address = address;
    this.token = token;
    this.dashboardUrl = dashboard;
    this.#scheduler = scheduler;
    this.#opts = opts;
  }

  /** Starts the scheduler and `nWorkers` workers; resolves when all are connected. */
  static async start(options: LocalClusterOptions = {}): Promise<LocalCluster> {
    const nWorkers = options.nWorkers ?? 2;
    if (!Number.isInteger(nWorkers) || nWorkers < 0) throw new ValidationError(`nWorkers must be a non-negative integer, got ${nWorkers}`);
    if (options.threadsPerWorker !== undefined && (!Number.isInteger(options.threadsPerWorker) || options.threadsPerWorker < 1)) {
      throw new ValidationError(`threadsPerWorker must be a positive integer, got ${options.threadsPerWorker}`);
    }
    if (options.memoryLimit !== undefined) parseBytes(options.memoryLimit, "memoryLimit");
    const token = options.token ?? randomBytes(24).toString("hex");
    const { cmd, args } = cliCommand();
    const scheduler = spawn(cmd, [...args, "scheduler", "--port", "0", "--dashboard-port", "0", ...(options.schedulerArgs ?? [])], {
      env: { ...process.env, TUSK_TOKEN: token }, stdio: ["ignore", "pipe", "pipe"],
    });
    track(scheduler);
    const m = await waitForLine(scheduler, /listening at (\S+)[^\n]*\n[^\n]*dashboard at (\S+)/, "the scheduler");
    drain(scheduler, options.logs ?? false);
    const cluster = new LocalCluster(m[1]!, token, m[2], scheduler, options);
    try {
      await Promise.all(Array.from({ length: nWorkers }, () => cluster.addWorker()));
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  /**
   * Starts one more worker; resolves with its process id once it has joined. `options`
   * override the cluster's for this worker (e.g. its own local directory).
   */
  async addWorker(options: { localDirectory?: string; workerArgs?: string[] } = {}): Promise<number> {
    const o = { ...this.#opts, ...options };
    const { cmd, args } = cliCommand();
    const argv = [...args, "worker", this.address, "--name", `local-${this.#n++}`];
    if (o.threadsPerWorker) argv.push("--nthreads", String(o.threadsPerWorker));
    if (o.memoryLimit !== undefined) argv.push("--memory-limit", String(o.memoryLimit));
    if (o.localDirectory) argv.push("--local-directory", o.localDirectory);
    argv.push(...(o.workerArgs ?? []));
    const child = spawn(cmd, argv, { env: { ...process.env, TUSK_TOKEN: this.token }, stdio: ["ignore", "pipe", "pipe"] });
    track(child);
    this.#workers.push(child);
    await waitForLine(child, /tusk worker \S+ ready/, "a worker");
    drain(child, o.logs ?? false);
    return child.pid!;
  }

  /** Process ids of the workers still running. */
  get workerPids(): number[] {
    return this.#workers.filter((w) => w.exitCode === null && w.signalCode === null).map((w) => w.pid!);
  }

  /** Process id of the scheduler. */
  get schedulerPid(): number {
    return this.#scheduler.pid!;
  }

  /** Stops every process (SIGTERM, then SIGKILL after a grace period). */
  async close(): Promise<void> {
    const all = [...this.#workers, this.#scheduler].filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(all.map((c) => new Promise<void>((resolve) => {
      const t = setTimeout(() => c.kill("SIGKILL"), 5000);
      c.once("exit", () => { clearTimeout(t); resolve(); });
      c.kill("SIGTERM");
    })));
  }
}
