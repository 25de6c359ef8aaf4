#!/usr/bin/env node
/**
 * The `tusk` command: `tusk scheduler …` and `tusk worker ws://HOST:8786 …`.
 * Run `tusk --help` for the options.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { ValidationError, describeError } from "./errors.js";
import { parseBytes } from "./graph/sizes.js";
import { createLogger } from "./distributed/log.js";
import { SchedulerServer } from "./distributed/scheduler/server.js";
import { WorkerServer } from "./distributed/worker/server.js";

const HELP = `tusk — run a tusk cluster

Usage:
  tusk scheduler [options]            start a scheduler
  tusk worker <scheduler-url> [opts]  start a worker connected to a scheduler

Scheduler options:
  --host HOST            interface to listen on (default 127.0.0.1; use 0.0.0.0 for all)
  --port PORT            port for workers and clients (default 8786; 0 = any free port)
  --dashboard-port PORT  port of the dashboard (default 8787; 0 = any free port)
  --token TOKEN          shared secret every worker and client must present
                         (default: $TUSK_TOKEN, else a random one that is printed)
  --tls-cert FILE        PEM certificate: serve wss:// instead of ws://
  --tls-key FILE         PEM private key of --tls-cert
  --heartbeat-timeout MS declare a silent worker dead after MS milliseconds (default 10000)

Worker options:
  --nthreads N           threads that run tasks (default: number of cores)
  --memory-limit SIZE    e.g. 4GB; spill to disk above ~65%, pause above ~80%
                         (default: half of this machine's memory)
  --local-directory DIR  where spill files go (default: the system temp folder)
  --name NAME            worker name shown by the scheduler
  --token TOKEN          the scheduler's token (default: $TUSK_TOKEN)
  --host HOST            interface of this worker's data port (default 127.0.0.1)
  --port PORT            data port for peers (default: any free port)
  --tls-ca FILE          PEM CA certificate to trust (self-signed scheduler/peers)
  --tls-cert FILE, --tls-key FILE   serve the data port over TLS
  --allow-modules LIST   comma-separated URL prefixes of op modules this worker may
                         import (default: any). Anyone with the token can run code on
                         workers; this limits which modules they can load.

Environment: TUSK_TOKEN, TUSK_LOG_LEVEL (debug|info|warn|error), TUSK_LOG_FORMAT=json.
Stop a worker with Ctrl-C or SIGTERM: it first hands the results only it holds to
other workers (up to 30 s), so nothing is recomputed; a second signal stops it at once.
`;

type Flags = Record<string, string>;

function parse(argv: string[], allowed: readonly string[]): { positional: string[]; flags: Flags } {
  const positional: string[] = [];
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") { flags.help = "1"; continue; }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (!allowed.includes(name)) throw new ValidationError(`unknown option --${name}; see tusk --help`);
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new ValidationError(`option --${name} needs a value`);
      flags[name] = value;
    } else positional.push(a);
  }
  return { positional, flags };
}

function int(flags: Flags, name: string, fallback: number): number {
  if (flags[name] === undefined) return fallback;
  const n = Number(flags[name]);
  if (!Number.isInteger(n) || n < 0) throw new ValidationError(`--${name} must be a non-negative integer, got ${flags[name]}`);
  return n;
}

async function scheduler(argv: string[]): Promise<void> {
  const { flags } = parse(argv, ["host", "port", "dashboard-port", "token", "tls-cert", "tls-key", "heartbeat-timeout"]);
  if (flags.help) return void process.stdout.write(HELP);
  if (Boolean(flags["tls-cert"]) !== Boolean(flags["tls-key"])) throw new ValidationError("--tls-cert and --tls-key go together");
  let token = flags.token ?? process.env.TUSK_TOKEN ?? "";
  const generated = token === "";
  if (generated) token = randomBytes(24).toString("hex");
  const log = createLogger("scheduler");
  const server = await SchedulerServer.start({
    host: flags.host, port: int(flags, "port", 8786), dashboardPort: int(flags, "dashboard-port", 8787), token,
    tlsCert: flags["tls-cert"], tlsKey: flags["tls-key"], heartbeatTimeoutMs: int(flags, "heartbeat-timeout", 10_000), logger: log,
  });
  process.stdout.write(`tusk scheduler listening at ${server.address}\n`);
  process.stdout.write(`tusk scheduler dashboard at ${server.dashboardUrl ?? "(none)"}\n`);
  if (generated) {
    process.stdout.write(`tusk scheduler token: ${token}  (give it to workers and clients: --token or TUSK_TOKEN)\n`);
    // As Jupyter does: a generated token is only known here, so print the address that opens the dashboard.
    if (server.dashboardUrl) process.stdout.write(`tusk scheduler dashboard with the token: ${server.dashboardUrl}?token=${token}\n`);
  }
  log.info("scheduler started", { address: server.address, dashboard: server.dashboardUrl });
  const stop = (signal: string): void => {
    log.info("shutting down", { signal });
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

async function worker(argv: string[]): Promise<void> {
  const { positional, flags } = parse(argv, ["nthreads", "memory-limit", "local-directory", "name", "token", "host", "port", "tls-ca", "tls-cert", "tls-key", "allow-modules"]);
  if (flags.help) return void process.stdout.write(HELP);
  const address = positional[0];
  if (!address || !/^(wss?|inproc):\/\//.test(address)) throw new ValidationError(`tusk worker needs the scheduler's address, e.g. tusk worker ws://127.0.0.1:8786 (got ${address ?? "nothing"})`);
  const token = flags.token ?? process.env.TUSK_TOKEN ?? "";
  const log = createLogger("worker");
  const w = await WorkerServer.start({
    scheduler: address, token,
    nthreads: flags.nthreads ? Math.max(1, int(flags, "nthreads", 1)) : availableParallelism(),
    memoryLimit: flags["memory-limit"] ? parseBytes(flags["memory-limit"], "--memory-limit") : Math.floor(totalmem() / 2),
    localDirectory: flags["local-directory"], name: flags.name, host: flags.host, peerPort: int(flags, "port", 0),
    tlsCa: flags["tls-ca"] ? readFileSync(flags["tls-ca"], "utf8") : undefined,
    tlsCert: flags["tls-cert"], tlsKey: flags["tls-key"],
    allowModules: flags["allow-modules"] ? flags["allow-modules"].split(",").map((s) => s.trim()).filter(Boolean) : undefined,
    logger: log,
    onClose: (reason) => process.exit(reason.startsWith("lost the scheduler") ? 1 : 0),
  });
  process.stdout.write(`tusk worker ${w.id} ready: connected to ${address}, data port ${w.peerAddress}\n`);
  // Hand results off to other workers first (bounded); a second signal ends the process at once.
  const stop = (signal: string): void => { void w.close(`received ${signal}`, { handOff: true }); };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === "--help" || command === "-h" || command === "help") return void process.stdout.write(HELP);
  if (command === "scheduler") return scheduler(rest);
  if (command === "worker") return worker(rest);
  throw new ValidationError(`unknown command ${command}; expected "scheduler" or "worker" (see tusk --help)`);
}

main().catch((error: unknown) => {
  process.stderr.write(`tusk: ${describeError(error)}\n`);
  process.exit(2);
});
