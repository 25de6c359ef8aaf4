/**
 * Security over real sockets on 127.0.0.1 (in-process servers): TLS with a self-signed
 * certificate made by openssl here, trusted through a given CA; the module allow-list;
 * loopback by default.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Client } from "../../src/distributed/client.js";
import { createLogger } from "../../src/distributed/log.js";
import { SchedulerServer } from "../../src/distributed/scheduler/server.js";
import { WorkerServer } from "../../src/distributed/worker/server.js";
import { makeKey } from "../../src/graph/key.js";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { lit, task } from "../../src/graph/task.js";
import "./fixtures/ops.js";

const logger = createLogger("test", { silent: true });
const token = "tls-token";
let dir: string;
let cert: string, key: string, ca: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tusk-tls-"));
  cert = join(dir, "cert.pem");
  key = join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
  ca = readFileSync(cert, "utf8");
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await shutdownPools();
});

const run = (client: Client, op: string, x: number) => {
  const k = makeKey(`${op}-${x}`);
  return client.run({ graph: new Map([[k, task(k, op, lit(x))]]), keys: [k], localDirectory: tmpdir(), nthreads: 1, retries: 0 });
};

describe("TLS and allow-list", () => {
  test("wss:// with a self-signed certificate: workers and clients that trust the CA work; others are refused", async () => {
    const scheduler = await SchedulerServer.start({ port: 0, dashboardPort: null, token, tlsCert: cert, tlsKey: key, logger });
    expect(scheduler.address).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const worker = await WorkerServer.start({ scheduler: scheduler.address, token, nthreads: 1, tlsCa: ca, tlsCert: cert, tlsKey: key, logger });
    expect(worker.peerAddress).toMatch(/^wss:\/\/127\.0\.0\.1:/);
    try {
      await expect(Client.connect(scheduler.address, { token, setAsDefault: false, timeoutMs: 3000 })).rejects.toThrow(/self-signed|certificate/);
      const client = await Client.connect(scheduler.address, { token, tlsCa: ca, setAsDefault: false });
      expect(await run(client, "fixture.triple", 14)).toEqual([42]);
      await client.close();
    } finally {
      await worker.close("done", { notify: false });
      await scheduler.close();
    }
  });

  test("a worker imports only op modules under --allow-modules, and says so when it refuses one", async () => {
    const scheduler = await SchedulerServer.start({ port: 0, dashboardPort: null, token, logger });
    expect(scheduler.address).toMatch(/^ws:\/\/127\.0\.0\.1:/); // loopback unless told otherwise
    const fixtures = new URL("./fixtures/", import.meta.url).href;
    // nthreads 2: a thread pool of its own (in-process workers share pools by size, and
    // the pool of 1 thread imported the fixture module in the test above).
    const strict = await WorkerServer.start({ scheduler: scheduler.address, token, nthreads: 2, logger, allowModules: ["file:///opt/approved-ops/"] });
    const client = await Client.connect(scheduler.address, { token, setAsDefault: false });
    try {
      await expect(run(client, "fixture.triple", 1)).rejects.toThrow(/refused to import .*fixtures\/ops\.ts because it is not under --allow-modules/);
      await strict.close("done", { notify: false });
      const allowed = await WorkerServer.start({ scheduler: scheduler.address, token, nthreads: 1, logger, allowModules: [fixtures] });
      expect(await run(client, "fixture.triple", 2)).toEqual([6]);
      await allowed.close("done", { notify: false });
    } finally {
      await client.close();
      await scheduler.close();
    }
  });
});
