/**
 * Structured logs with levels: one line per event on stderr,
 * `2026-01-01T00:00:00.000Z INFO  scheduler  worker joined  id=w1 address=ws://…`.
 * `TUSK_LOG_LEVEL` (debug, info, warn, error) picks what is shown; `TUSK_LOG_FORMAT=json`
 * prints JSON lines instead.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger for one component. `silent` drops everything (library use, tests). */
export function createLogger(component: string, options: { level?: LogLevel; silent?: boolean; write?: (line: string) => void } = {}): Logger {
  const level = options.level ?? ((process.env.TUSK_LOG_LEVEL as LogLevel | undefined) ?? "info");
  const min = RANK[level] ?? RANK.info;
  const json = process.env.TUSK_LOG_FORMAT === "json";
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (lvl: LogLevel, msg: string, fields: Record<string, unknown> = {}): void => {
    if (options.silent || RANK[lvl] < min) return;
    const time = new Date().toISOString();
    if (json) return write(JSON.stringify({ time, level: lvl, component, msg, ...fields }));
    const extra = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ");
    write(`${time} ${lvl.toUpperCase().padEnd(5)} ${component.padEnd(9)} ${msg}${extra ? `  ${extra}` : ""}`);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}
