/**
 * The dashboard's HTTP server: the page, its two assets and `api/snapshot` (JSON,
 * polled by the page), read-only (GET and HEAD only; nothing here changes the
 * scheduler). When the scheduler has a token the dashboard requires it: once as
 * `?token=…` (answered with a cookie and a redirect that drops the token from the
 * address bar), or as `Authorization: Bearer …` from scripts. The cookie holds a keyed
 * hash of the token, not the token, and every comparison is constant-time.
 */
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tokensEqual } from "../handshake.js";
import type { Logger } from "../log.js";
import type { DashboardSnapshot } from "./model.js";
import { DASHBOARD_CSS, DASHBOARD_HTML, DASHBOARD_JS, unauthorizedHtml } from "./page.js";

export interface DashboardServerOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  /** The cluster's token; "" = no authentication. */
  token: string;
  /** The current picture, with task stream entries after `since`. */
  snapshot: (since: number) => DashboardSnapshot;
  logger?: Logger;
}

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

/**
 * A running dashboard.
 * @example
 * const dash = await DashboardServer.start({ host: "127.0.0.1", port: 8787, token, snapshot: (since) => … });
 * dash.url; // "http://127.0.0.1:8787/"
 * await dash.close();
 */
export class DashboardServer {
  readonly #opts: DashboardServerOptions;
  readonly #server: Server;
  readonly #cookieValue: string;
  #cookieName = "tusk-dashboard";
  #url = "";

  private constructor(options: DashboardServerOptions) {
    this.#opts = options;
    this.#cookieValue = createHmac("sha256", options.token).update("tusk-dashboard-cookie").digest("hex");
    this.#server = createServer((req, res) => {
      try {
        this.#serve(req, res);
      } catch (error) {
        options.logger?.error("dashboard request failed", { url: req.url, error: (error as Error).stack ?? String(error) });
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("internal error; see the scheduler's log");
      }
    });
  }

  /** Listens; rejects if the port is taken. */
  static async start(options: DashboardServerOptions): Promise<DashboardServer> {
    const d = new DashboardServer(options);
    await new Promise<void>((resolve, reject) => {
      d.#server.once("error", reject);
      d.#server.listen(options.port, options.host, () => {
        d.#server.off("error", reject);
        resolve();
      });
    });
    const port = (d.#server.address() as AddressInfo).port;
    // Cookies are per host, not per port: one name per dashboard.
    d.#cookieName = `tusk-dashboard-${port}`;
    const host = options.host.includes(":") ? `[${options.host}]` : options.host;
    d.#url = `http://${host}:${port}/`;
    return d;
  }

  /** Where the page is (without the token). */
  get url(): string {
    return this.#url;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #authorized(req: IncomingMessage, url: URL): "ok" | "missing" | "wrong" {
    const token = this.#opts.token;
    if (token === "") return "ok";
    const auth = req.headers.authorization;
    if (auth !== undefined) return auth.startsWith("Bearer ") && tokensEqual(auth.slice(7), token) ? "ok" : "wrong";
    const given = url.searchParams.get("token");
    if (given !== null) return tokensEqual(given, token) ? "ok" : "wrong";
    const cookie = readCookie(req.headers.cookie, this.#cookieName);
    if (cookie !== undefined) return tokensEqual(cookie, this.#cookieValue) ? "ok" : "wrong";
    return "missing";
  }

  #serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://dashboard");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { ...SECURITY_HEADERS, allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("the dashboard is read-only: only GET and HEAD\n");
      return;
    }
    const auth = this.#authorized(req, url);
    if (auth !== "ok") {
      const reason = auth === "missing" ? "No token was given." : "The token given is wrong.";
      const api = url.pathname.startsWith("/api/") || url.pathname === "/json";
      res.writeHead(401, { ...SECURITY_HEADERS, "www-authenticate": 'Bearer realm="tusk dashboard"', "content-type": api ? "application/json" : "text/html; charset=utf-8" });
      res.end(api ? JSON.stringify({ error: `${reason} Pass ?token=YOUR_TOKEN once, or the header Authorization: Bearer YOUR_TOKEN.` }) : unauthorizedHtml(reason));
      return;
    }
    if (url.searchParams.has("token")) {
      // Keep the token out of the address bar, history and logs from now on.
      url.searchParams.delete("token");
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        location: url.pathname + url.search,
        "set-cookie": `${this.#cookieName}=${this.#cookieValue}; Path=/; HttpOnly; SameSite=Strict`,
      });
      res.end();
      return;
    }
    switch (url.pathname) {
      case "/":
      case "/status":
        return send(res, req, 200, "text/html; charset=utf-8", DASHBOARD_HTML);
      case "/static/dashboard.js":
        return send(res, req, 200, "text/javascript; charset=utf-8", DASHBOARD_JS);
      case "/static/dashboard.css":
        return send(res, req, 200, "text/css; charset=utf-8", DASHBOARD_CSS);
      case "/api/snapshot": {
        const since = Number(url.searchParams.get("since") ?? "0");
        return send(res, req, 200, "application/json", JSON.stringify(this.#opts.snapshot(Number.isSafeInteger(since) && since >= 0 ? since : 0)));
      }
      case "/json": {
        // A summary for scripts: the snapshot without task stream entries.
        const snap = this.#opts.snapshot(Number.MAX_SAFE_INTEGER);
        return send(res, req, 200, "application/json", JSON.stringify(snap));
      }
      default:
        return send(res, req, 404, "text/plain; charset=utf-8", `no such page: ${url.pathname}; the dashboard is at /\n`);
    }
  }
}

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** The value of one cookie, or undefined. */
function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
