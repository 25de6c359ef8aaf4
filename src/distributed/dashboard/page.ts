/**
 * The dashboard page: HTML, CSS and a small script, served from this process (no CDN,
 * no external request: the page's Content-Security-Policy allows only its own origin).
 * The script polls `api/snapshot?since=N` twice a second and draws with plain DOM and
 * SVG: workers with memory bars, a progress bar per task group, the task stream and the
 * graph. The client code is plain ES2020 kept in strings (it runs in a browser, not in
 * Node), written without template literals so it embeds here verbatim.
 */

/** The HTML shell (assets are fetched from the same origin). */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tusk dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="static/dashboard.css">
<script src="static/dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>tusk</h1>
  <span id="address"></span>
  <span id="summary"></span>
  <span id="status" class="status">connecting…</span>
</header>
<main>
  <section id="workers-panel"><h2>Workers</h2>
    <table id="workers"><thead><tr><th>worker</th><th>threads</th><th>memory (managed · unmanaged · spilled / limit)</th><th>running</th><th>CPU</th><th>results</th></tr></thead><tbody></tbody></table>
    <div class="legend"><i class="managed"></i>managed <i class="unmanaged"></i>unmanaged <i class="spilled"></i>spilled to disk</div>
  </section>
  <section id="progress-panel"><h2>Progress</h2><div id="progress"></div>
    <div class="legend"><i class="done"></i>done <i class="processing"></i>processing <i class="queued"></i>queued <i class="waiting"></i>waiting <i class="erred"></i>erred</div>
  </section>
  <section id="stream-panel"><h2>Task stream <small id="stream-window"></small></h2><svg id="stream" xmlns="http://www.w3.org/2000/svg" width="100%" height="160"></svg></section>
  <section id="graph-panel"><h2>Graph <small id="graph-level"></small></h2><svg id="graph" xmlns="http://www.w3.org/2000/svg" width="100%" height="320"></svg></section>
</main>
</body>
</html>
`;

/** The 401 page: says how to pass the token. */
export function unauthorizedHtml(reason: string): string {
  const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tusk dashboard: token required</title><link rel="icon" href="data:,"></head>
<body style="font: 15px system-ui, sans-serif; max-width: 44em; margin: 3em auto; line-height: 1.5">
<h1>This dashboard needs the cluster's token</h1>
<p>${esc(reason)}</p>
<p>Open it with the token once, and the browser keeps a cookie for this dashboard:</p>
<pre>http://HOST:PORT/?token=YOUR_TOKEN</pre>
<p>The token is the scheduler's <code>--token</code> (or <code>TUSK_TOKEN</code>); <code>tusk scheduler</code> prints it when it makes one,
and a <code>LocalCluster</code> has it as <code>cluster.token</code>. Scripts can send the header <code>Authorization: Bearer YOUR_TOKEN</code> instead.</p>
</body></html>
`;
}

/** Styles. */
export const DASHBOARD_CSS = `
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #f6f8fa; }
header { display: flex; gap: 1.2em; align-items: baseline; padding: 0.6em 1em; background: #24292f; color: #f6f8fa; }
header h1 { margin: 0; font-size: 18px; }
header #address { font-family: ui-monospace, monospace; opacity: 0.8; }
header .status { margin-left: auto; padding: 0 0.6em; border-radius: 8px; background: #57606a; }
header .status.live { background: #1a7f37; }
header .status.down { background: #cf222e; }
main { display: grid; grid-template-columns: minmax(420px, 1fr) minmax(420px, 1fr); gap: 10px; padding: 10px; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 10px; min-width: 0; }
section h2 { margin: 0 0 6px; font-size: 14px; }
section h2 small { font-weight: normal; color: #57606a; }
#stream-panel, #graph-panel { grid-column: 1 / -1; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eaeef2; white-space: nowrap; }
th { font-weight: 600; color: #57606a; font-size: 12px; }
td.memory { width: 55%; white-space: normal; }
.bar { position: relative; height: 14px; background: #eaeef2; border-radius: 3px; overflow: hidden; display: flex; }
.bar > span { height: 100%; display: block; }
.bar .managed { background: #0969da; }
.bar .unmanaged { background: #8cb4e8; }
.bar .spilled { background: #fb8f44; }
.bar .cpu { background: #8250df; }
.bar .done { background: #1a7f37; }
.bar .processing { background: #4ac26b; }
.bar .queued { background: #bf8700; opacity: 0.55; }
.bar .waiting { background: #d0d7de; }
.bar .erred { background: #cf222e; }
.worker.paused .mem-bar { outline: 2px solid #cf222e; }
.worker .figures { font-size: 11px; color: #57606a; }
.group { display: grid; grid-template-columns: 11em 1fr 7em; gap: 8px; align-items: center; margin: 3px 0; }
.group .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-family: ui-monospace, monospace; }
.group .count { text-align: right; font-variant-numeric: tabular-nums; color: #57606a; }
.group.complete { opacity: 0.55; }
.legend { margin-top: 6px; color: #57606a; font-size: 11px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin: 0 3px 0 10px; vertical-align: -1px; border-radius: 2px; }
.legend i.managed { background: #0969da; } .legend i.unmanaged { background: #8cb4e8; } .legend i.spilled { background: #fb8f44; }
.legend i.done { background: #1a7f37; } .legend i.processing { background: #4ac26b; } .legend i.queued { background: #bf8700; opacity: 0.55; }
.legend i.waiting { background: #d0d7de; } .legend i.erred { background: #cf222e; }
svg text { font: 11px system-ui, sans-serif; fill: #1f2328; }
svg .axis { stroke: #d0d7de; }
svg .edge { stroke: #8c959f; stroke-width: 1; fill: none; }
svg rect.task.error { fill: #cf222e !important; }
.empty { color: #8c959f; font-style: italic; }
`;

/** The page's script. */
export const DASHBOARD_JS = String.raw`"use strict";
(function () {
  var SVG = "http://www.w3.org/2000/svg";
  var POLL_MS = 500;
  var WINDOW_MS = 20000;
  var lastSeq = 0;
  var stream = [];
  var workerOrder = [];
  var polls = 0;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    return e;
  }
  function bytes(n) {
    if (!(n > 0)) return "0 B";
    var u = ["B", "kB", "MB", "GB", "TB"];
    var i = Math.min(u.length - 1, Math.floor(Math.log(n) / Math.log(1000)));
    return (n / Math.pow(1000, i)).toFixed(i === 0 ? 0 : 1) + " " + u[i];
  }
  function pct(x) { return (Math.max(0, Math.min(1, x)) * 100).toFixed(2) + "%"; }
  function hue(name) {
    var h = 0;
    for (var i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
    return h % 360;
  }
  function groupColor(name) { return "hsl(" + hue(name) + ", 62%, 52%)"; }
  function bar(cls, parts) {
    var b = el("div", "bar " + cls);
    parts.forEach(function (p) {
      var s = el("span", p[0]);
      s.style.width = pct(p[1]);
      b.appendChild(s);
    });
    return b;
  }

  function drawWorkers(snap) {
    var body = $("workers").tBodies[0];
    body.textContent = "";
    var scale = 1;
    snap.workers.forEach(function (w) { scale = Math.max(scale, w.memoryLimit || (w.rss + w.spilled) * 1.25); });
    if (snap.workers.length === 0) {
      var tr0 = el("tr"); var td0 = el("td", "empty", "no workers connected"); td0.colSpan = 6; tr0.appendChild(td0); body.appendChild(tr0);
    }
    snap.workers.forEach(function (w) {
      var tr = el("tr", "worker" + (w.paused ? " paused" : ""));
      tr.dataset.worker = w.id;
      var name = el("td", "name", w.id);
      name.title = w.address;
      tr.appendChild(name);
      tr.appendChild(el("td", "threads", String(w.nthreads)));
      var mem = el("td", "memory");
      var limit = w.memoryLimit || scale;
      var mb = bar("mem-bar", [["managed", w.managed / limit], ["unmanaged", w.unmanaged / limit], ["spilled", w.spilled / limit]]);
      mb.title = "managed " + bytes(w.managed) + ", unmanaged " + bytes(w.unmanaged) + ", spilled " + bytes(w.spilled);
      mem.appendChild(mb);
      mem.appendChild(el("div", "figures", bytes(w.managed) + " · " + bytes(w.unmanaged) + " · " + bytes(w.spilled) +
        " / " + (w.memoryLimit ? bytes(w.memoryLimit) : "no limit") + (w.paused ? " · PAUSED" : "")));
      tr.appendChild(mem);
      tr.appendChild(el("td", "running", w.executing + " / " + w.processing));
      var cpu = el("td", "cpu");
      cpu.appendChild(bar("cpu-bar", [["cpu", w.cpu / (100 * Math.max(1, w.nthreads))]]));
      cpu.appendChild(el("div", "figures", Math.round(w.cpu) + "%"));
      tr.appendChild(cpu);
      tr.appendChild(el("td", "keys", w.keys + " (" + bytes(w.managed + w.spilled) + ")"));
      body.appendChild(tr);
    });
  }

  function drawProgress(snap) {
    var box = $("progress");
    box.textContent = "";
    if (snap.groups.length === 0) box.appendChild(el("div", "empty", "no computation yet"));
    snap.groups.forEach(function (g) {
      var row = el("div", "group" + (g.complete ? " complete" : ""));
      row.dataset.group = g.name;
      row.dataset.done = String(g.done);
      row.dataset.total = String(g.total);
      var name = el("span", "name", g.name);
      name.style.borderLeft = "4px solid " + groupColor(g.name);
      name.style.paddingLeft = "4px";
      row.appendChild(name);
      var t = Math.max(1, g.total);
      row.appendChild(bar("progress-bar", [["done", g.done / t], ["processing", g.processing / t], ["queued", g.queued / t], ["waiting", g.waiting / t], ["erred", g.erred / t]]));
      row.appendChild(el("span", "count", g.done + " / " + g.total + (g.erred ? " (" + g.erred + " erred)" : "")));
      box.appendChild(row);
    });
  }

  function drawStream(snap) {
    snap.stream.entries.forEach(function (e) { stream.push(e); });
    var end = snap.now;
    stream.forEach(function (e) { if (e.stopMs > end) end = e.stopMs; });
    var start = end - WINDOW_MS;
    stream = stream.filter(function (e) { return e.stopMs >= start; });
    snap.workers.forEach(function (w) { if (workerOrder.indexOf(w.id) < 0) workerOrder.push(w.id); });
    stream.forEach(function (e) { if (workerOrder.indexOf(e.worker) < 0) workerOrder.push(e.worker); });
    var root = $("stream");
    var width = root.clientWidth || 800;
    var left = 90, rowH = 22;
    var height = Math.max(60, workerOrder.length * rowH + 24);
    root.setAttribute("height", String(height));
    root.textContent = "";
    var x = function (t) { return left + (width - left - 8) * (t - start) / WINDOW_MS; };
    workerOrder.forEach(function (w, i) {
      var y = i * rowH + 4;
      var label = svg("text", { x: 4, y: y + 14 });
      label.textContent = w;
      root.appendChild(label);
      root.appendChild(svg("line", { class: "axis", x1: left, x2: width - 8, y1: y + rowH - 2, y2: y + rowH - 2 }));
    });
    for (var s = 0; s <= WINDOW_MS; s += 5000) {
      var tx = x(start + s);
      var tick = svg("text", { x: tx - 8, y: height - 4 });
      tick.textContent = "-" + ((WINDOW_MS - s) / 1000) + "s";
      root.appendChild(tick);
    }
    // Tasks that overlap on one worker (several threads) go to separate lanes of its row.
    var lanesOf = {}, laneOf = new Map();
    stream.slice().sort(function (a, b) { return a.startMs - b.startMs; }).forEach(function (e) {
      var ends = lanesOf[e.worker] || (lanesOf[e.worker] = []);
      var lane = 0;
      while (lane < ends.length && ends[lane] > e.startMs) lane++;
      ends[lane] = e.stopMs;
      laneOf.set(e, lane);
    });
    stream.forEach(function (e) {
      var row = workerOrder.indexOf(e.worker);
      var lanes = Math.max(1, lanesOf[e.worker].length);
      var laneH = (rowH - 8) / lanes;
      var x0 = x(Math.max(start, e.startMs));
      var r = svg("rect", {
        class: "task" + (e.status === "error" ? " error" : ""), x: x0.toFixed(1), y: (row * rowH + 5 + laneOf.get(e) * laneH).toFixed(1),
        width: Math.max(1.5, x(e.stopMs) - x0).toFixed(1), height: Math.max(1, laneH - (lanes > 1 ? 1 : 0)).toFixed(1), fill: groupColor(e.group),
      });
      r.dataset.key = e.key;
      r.dataset.worker = e.worker;
      var title = svg("title", {});
      title.textContent = e.key + " on " + e.worker + ": " + (e.stopMs - e.startMs).toFixed(1) + " ms" + (e.status === "error" ? " (error)" : "");
      r.appendChild(title);
      root.appendChild(r);
    });
    $("stream-window").textContent = "(last " + WINDOW_MS / 1000 + " s, " + stream.length + " tasks)";
  }

  var STATE_FILL = { memory: "#1a7f37", processing: "#4ac26b", queued: "#e3b341", waiting: "#d0d7de", released: "#afb8c1", erred: "#cf222e", complete: "#1a7f37" };

  function drawGraph(snap) {
    var g = snap.graph;
    var root = $("graph");
    root.textContent = "";
    $("graph-level").textContent = g.nodes.length ? "(" + g.nodes.length + " " + (g.level === "task" ? "tasks" : "task groups") + ")" : "";
    if (g.nodes.length === 0) {
      var t0 = svg("text", { x: 10, y: 20, class: "empty" });
      t0.textContent = "no graph";
      root.appendChild(t0);
      return;
    }
    var width = root.clientWidth || 800;
    var nodeW = g.level === "task" ? 14 : 130, nodeH = g.level === "task" ? 14 : 26;
    var gapY = g.level === "task" ? 20 : 40;
    var height = Math.min(600, Math.max(120, g.breadth * gapY + 30));
    root.setAttribute("height", String(height));
    var cols = Math.max(1, g.layers - 1);
    var px = function (n) { return 10 + (width - nodeW - 20) * (g.layers === 1 ? 0.5 : n.x / cols); };
    var rowsIn = {};
    g.nodes.forEach(function (n) { rowsIn[n.x] = Math.max(rowsIn[n.x] || 0, n.y + 1); });
    var py = function (n) { return 10 + (height - nodeH - 20) * ((n.y + 0.5) / rowsIn[n.x]); };
    g.edges.forEach(function (e) {
      var a = g.nodes[e[0]], b = g.nodes[e[1]];
      var x1 = px(a) + nodeW, y1 = py(a) + nodeH / 2, x2 = px(b), y2 = py(b) + nodeH / 2;
      var mx = (x1 + x2) / 2;
      root.appendChild(svg("path", { class: "edge", d: "M" + x1 + "," + y1 + " C" + mx + "," + y1 + " " + mx + "," + y2 + " " + x2 + "," + y2 }));
    });
    g.nodes.forEach(function (n) {
      var node = svg("g", { class: "node " + n.state, transform: "translate(" + px(n).toFixed(1) + "," + py(n).toFixed(1) + ")" });
      node.dataset.id = n.id;
      node.appendChild(svg("rect", { width: nodeW, height: nodeH, rx: 4, fill: "#fff", stroke: groupColor(n.label.replace(/-[0-9a-f]{6,}(#.*)?$/, "")), "stroke-width": 2 }));
      var frac = n.total > 0 ? n.done / n.total : 0;
      node.appendChild(svg("rect", { width: (nodeW * frac).toFixed(1), height: nodeH, rx: 4, fill: STATE_FILL[n.state] || "#1a7f37", opacity: 0.55 }));
      if (g.level === "group") {
        var label = svg("text", { x: 6, y: nodeH / 2 + 4 });
        label.textContent = n.label + " " + n.done + "/" + n.total;
        node.appendChild(label);
      } else if (frac === 0) {
        node.lastChild.setAttribute("width", String(nodeW));
        node.lastChild.setAttribute("fill", STATE_FILL[n.state] || "#d0d7de");
      }
      var title = svg("title", {});
      title.textContent = n.label + ": " + n.state + (g.level === "group" ? " (" + n.done + " of " + n.total + " done)" : "");
      node.appendChild(title);
      root.appendChild(node);
    });
  }

  function drawHeader(snap) {
    $("address").textContent = snap.scheduler.address;
    var t = snap.scheduler.tasks;
    var parts = [snap.workers.length + " workers", snap.scheduler.clients + " clients"];
    ["processing", "queued", "waiting", "memory", "erred"].forEach(function (k) { if (t[k]) parts.push(t[k] + " " + k); });
    $("summary").textContent = parts.join(" · ");
  }

  function setStatus(text, cls) {
    var s = $("status");
    s.textContent = text;
    s.className = "status " + cls;
  }

  function poll() {
    fetch("api/snapshot?since=" + lastSeq, { cache: "no-store", credentials: "same-origin" }).then(function (res) {
      if (res.status === 401) { setStatus("token required: reopen with ?token=…", "down"); return null; }
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.json();
    }).then(function (snap) {
      if (!snap) return;
      polls++;
      drawHeader(snap);
      drawWorkers(snap);
      drawProgress(snap);
      drawStream(snap);
      drawGraph(snap);
      lastSeq = snap.stream.lastSeq;
      document.body.dataset.polls = String(polls);
      setStatus("live", "live");
    }).catch(function (err) {
      setStatus("scheduler unreachable (" + err.message + "); retrying", "down");
    }).then(function () { setTimeout(poll, POLL_MS); });
  }
  poll();
})();
`;
