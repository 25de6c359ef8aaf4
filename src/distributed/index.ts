/** The distributed layer's public surface. */
export { Client, Future, asCompleted, type ClientOptions } from "./client.js";
export { LocalCluster, type LocalClusterOptions } from "./cluster.js";
export { SchedulerServer, type SchedulerServerOptions } from "./scheduler/server.js";
export { WorkerServer, type WorkerServerOptions } from "./worker/server.js";
