/// The status page: one self-contained HTML document (no external assets) whose script polls
/// `/status.json` and draws the figures, the partition table and two SVG charts — throughput
/// (records/s produced to the topic and committed by the group) and lag — over the history.
enum StatusPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>userstream status</title>
<style>
  :root { --fg:#1f2937; --muted:#6b7280; --line:#e5e7eb; --produced:#2563eb; --consumed:#16a34a; --lag:#dc2626; }
  body { font: 14px/1.4 system-ui, sans-serif; color: var(--fg); margin: 16px 24px; background: #f9fafb; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  .sub { color: var(--muted); margin-bottom: 12px; }
  .error { background: #fee2e2; color: #991b1b; padding: 6px 10px; border-radius: 4px; margin-bottom: 12px; }
  .figures { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 14px; }
  .figure { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 110px; }
  .figure .label { color: var(--muted); font-size: 12px; }
  .figure .value { font-size: 20px; font-weight: 600; }
  .charts { display: flex; flex-wrap: wrap; gap: 14px; margin-bottom: 14px; }
  .chart { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
  .chart h2 { font-size: 14px; margin: 0 0 4px; }
  .legend span { margin-right: 12px; font-size: 12px; }
  .legend i { display: inline-block; width: 12px; height: 3px; vertical-align: middle; margin-right: 4px; }
  svg text { font-size: 10px; fill: var(--muted); }
  table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
  th, td { padding: 4px 12px; text-align: right; border-bottom: 1px solid var(--line); }
  th { color: var(--muted); font-weight: 500; }
</style>
</head>
<body>
<h1>userstream pipeline</h1>
<div class="sub">topic <b id="topic">–</b> · group <b id="group">–</b> · sink <b id="sink-location">–</b> · status at <span id="time">–</span></div>
<div id="error" class="error" hidden></div>
<div class="figures">
  <div class="figure"><div class="label">records in topic</div><div class="value" id="end-offset-total">–</div></div>
  <div class="figure"><div class="label">committed</div><div class="value" id="committed-total">–</div></div>
  <div class="figure"><div class="label">lag</div><div class="value" id="total-lag">–</div></div>
  <div class="figure"><div class="label">dead-lettered (<span id="dlq-topic">–</span>)</div><div class="value" id="dlq-size">–</div></div>
  <div class="figure"><div class="label">rows in the sink</div><div class="value" id="sink-rows">–</div></div>
  <div class="figure"><div class="label">last write</div><div class="value" id="last-write">–</div></div>
</div>
<div class="charts">
  <div class="chart"><h2>Throughput (records/s)</h2>
    <div class="legend"><span><i style="background:var(--produced)"></i>produced</span><span><i style="background:var(--consumed)"></i>committed</span></div>
    <svg id="throughput-chart" width="500" height="200"></svg></div>
  <div class="chart"><h2>Lag (records)</h2>
    <div class="legend"><span><i style="background:var(--lag)"></i>lag, all partitions</span></div>
    <svg id="lag-chart" width="500" height="200"></svg></div>
</div>
<table>
  <thead><tr><th>partition</th><th>end offset</th><th>committed</th><th>lag</th></tr></thead>
  <tbody id="partitions"></tbody>
</table>
<script>
"use strict";
const refreshMs = Number(new URLSearchParams(location.search).get("refresh") || 2000);
const SVG = "http://www.w3.org/2000/svg";

function text(id, value) { document.getElementById(id).textContent = value; }

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

// Rates between neighbouring samples, placed at the later sample's time.
function rates(history, field) {
  const points = [];
  for (let i = 1; i < history.length; i++) {
    const seconds = (Date.parse(history[i].time) - Date.parse(history[i - 1].time)) / 1000;
    if (seconds > 0) points.push([Date.parse(history[i].time), Math.max(0, history[i][field] - history[i - 1][field]) / seconds]);
  }
  return points;
}

function draw(svg, seriesList) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const width = Number(svg.getAttribute("width")), height = Number(svg.getAttribute("height"));
  const left = 48, right = 8, top = 8, bottom = 20;
  const all = seriesList.flatMap(s => s.points);
  if (all.length === 0) {
    svg.appendChild(svgElement("text", {x: width / 2, y: height / 2, "text-anchor": "middle"})).textContent = "waiting for data";
    return;
  }
  const t0 = Math.min(...all.map(p => p[0])), t1 = Math.max(...all.map(p => p[0]), t0 + 1000);
  const yMax = Math.max(1, ...all.map(p => p[1])) * 1.1;
  const x = t => left + (t - t0) / (t1 - t0) * (width - left - right);
  const y = v => height - bottom - v / yMax * (height - top - bottom);
  for (let i = 0; i <= 4; i++) {
    const value = yMax * i / 4;
    svg.appendChild(svgElement("line", {x1: left, x2: width - right, y1: y(value), y2: y(value), stroke: "#e5e7eb"}));
    svg.appendChild(svgElement("text", {x: left - 4, y: y(value) + 3, "text-anchor": "end"})).textContent =
      value >= 100 ? Math.round(value) : value.toFixed(1);
  }
  svg.appendChild(svgElement("text", {x: left, y: height - 4})).textContent = new Date(t0).toLocaleTimeString();
  svg.appendChild(svgElement("text", {x: width - right, y: height - 4, "text-anchor": "end"})).textContent = new Date(t1).toLocaleTimeString();
  for (const series of seriesList) {
    svg.appendChild(svgElement("polyline", {
      "data-series": series.name, fill: "none", stroke: series.color, "stroke-width": 3, "stroke-linejoin": "round",
      points: series.points.map(p => x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1)).join(" "),
      "data-values": series.points.map(p => p[1]).join(" ")
    }));
  }
}

function render(report) {
  const error = document.getElementById("error");
  error.hidden = !report.error;
  error.textContent = report.error ? "status unavailable: " + report.error : "";
  if (report.topic === undefined) return;
  text("topic", report.topic);
  text("group", report.group);
  text("time", new Date(report.time).toLocaleString());
  text("end-offset-total", report.end_offset_total);
  text("committed-total", report.committed_total);
  text("total-lag", report.total_lag);
  text("dlq-topic", report.dlq_topic);
  text("dlq-size", report.dlq_size);
  text("sink-location", report.sink.location);
  text("sink-rows", report.sink.rows === undefined || report.sink.rows === null ? "unknown" : report.sink.rows);
  const lastWrite = document.getElementById("last-write");
  lastWrite.textContent = report.sink.last_write ? new Date(report.sink.last_write).toLocaleTimeString() : "never";
  lastWrite.dataset.time = report.sink.last_write || "";
  const body = document.getElementById("partitions");
  body.replaceChildren(...report.partitions.map(p => {
    const row = document.createElement("tr");
    row.dataset.partition = p.partition;
    for (const [name, value] of [["partition", p.partition], ["end-offset", p.end_offset],
                                 ["committed-offset", p.committed_offset ?? "–"], ["lag", p.lag]]) {
      const cell = document.createElement("td");
      cell.className = name;
      cell.textContent = value;
      row.appendChild(cell);
    }
    return row;
  }));
  const history = report.history;
  draw(document.getElementById("throughput-chart"), [
    {name: "produced", color: "#2563eb", points: rates(history, "end_offset_total")},
    {name: "committed", color: "#16a34a", points: rates(history, "committed_total")}
  ]);
  draw(document.getElementById("lag-chart"), [
    {name: "lag", color: "#dc2626", points: history.map(s => [Date.parse(s.time), s.total_lag])}
  ]);
  document.body.dataset.loaded = "true";
}

async function refresh() {
  try {
    const response = await fetch("/status.json", {cache: "no-store"});
    render(await response.json());
  } catch (error) {
    render({error: String(error)});
  }
  setTimeout(refresh, refreshMs);
}
refresh();
</script>
</body>
</html>
"""#
}
