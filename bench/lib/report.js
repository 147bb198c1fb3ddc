'use strict';
// Turns a benchmark result (bench/run.js) into the markdown table
// (bench/results/table.md) and one hand-written SVG chart (bench/results/chart.svg).
// Pure functions of the result object: no I/O, no dependency.

const fmt = (v, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const times = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : 'n/a');
const verdict = (met) => (met === null ? 'not measurable' : met ? 'met' : '**missed**');

function markdownTable(header, rows, align) {
  const lines = [`| ${header.join(' | ')} |`, `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** The value of a figure as text (a ratio as "1.23×", a quantity with its unit). */
function figureValue(f) {
  if (f.value === null) return 'n/a';
  if (f.unit === '×') return times(f.value);
  return `${fmt(f.value, 2)} ${f.unit}`;
}

function scorecard(figures) {
  return markdownTable(
    ['figure', 'measured', 'detail', 'target', 'result'],
    figures.map((f) => [f.name, figureValue(f), f.detail || f.note || '', f.target ? f.target.text : 'reported', f.target ? verdict(f.met) : '-']),
    ['l', 'r', 'l', 'l', 'l'],
  );
}

function latencyTable(latency) {
  const net = latency.rows.find((r) => r.baseline);
  const floor = latency.floor && latency.floor.n > 0 ? latency.floor : null;
  const rows = latency.rows.map((r) => [
    r.name, r.n, fmt(r.medianMs), fmt(r.p99Ms),
    times(r.medianMs / net.medianMs), times(r.p99Ms / net.p99Ms),
    floor ? times(r.medianMs / floor.medianMs) : 'n/a', floor ? times(r.p99Ms / floor.p99Ms) : 'n/a',
  ]);
  if (floor) rows.push(['C loop (floor.exe: WSASocketW, WSAConnect, closesocket)', floor.n, fmt(floor.medianMs), fmt(floor.p99Ms), times(floor.medianMs / net.medianMs), times(floor.p99Ms / net.p99Ms), '1.00×', '1.00×']);
  return markdownTable(
    ['method (connect + adopt + close)', 'n', 'median ms', 'p99 ms', 'median vs net.connect', 'p99 vs net.connect', 'median vs C loop', 'p99 vs C loop'],
    rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

function concurrencyTable(rows) {
  const net = rows.find((r) => r.baseline);
  return markdownTable(
    ['method', 'concurrent', 'rounds', 'settle all (median ms)', 'vs net.connect', 'loop delay p99 ms (worst round)', 'its samples', 'loop delay max ms', 'failed'],
    rows.map((r) => [r.name, r.count, r.rounds, fmt(r.settleMs, 0), times(r.settleMs / net.settleMs), fmt(r.loopDelayP99Ms, 2), r.loopDelaySamples, fmt(r.loopDelayMaxMs, 2), r.failed]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

function isolationTable(iso) {
  const row = (name, s) => [name, fmt(s.idle.medianMs), fmt(s.busy.medianMs), times(s.busy.medianMs / s.idle.medianMs), fmt(s.idle.p99Ms), fmt(s.busy.p99Ms), times(s.busy.p99Ms / s.idle.p99Ms),
    s.control ? `${fmt(s.control.medianMs)} (${times(s.control.medianMs / s.idle.medianMs)})` : 'n/a'];
  return markdownTable(
    ['libuv threadpool call', 'idle median ms', `${iso.hanging} of ours hanging: median ms`, 'ratio', 'idle p99 ms', 'hanging p99 ms', 'p99 ratio', `control: ${iso.hanging} net.connect hanging, median ms`],
    [row('fs.promises.stat', iso.stat), row('fs.promises.readFile (4 KiB)', iso.readFile)],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}

function throughputTable(t) {
  const mib = (t.bytes / 1048576).toFixed(0);
  return markdownTable(
    ['socket', `MiB/s (${mib} MiB, median of ${t.rounds})`, 'ratio of medians', 'median of pairwise ratios'],
    [[`adopted (${t.adopted.name})`, fmt(t.adopted.mibPerSecond, 0), times(t.adopted.mibPerSecond / t.net.mibPerSecond), times(t.medianPairRatio)],
      [`net.Socket (${t.net.name})`, fmt(t.net.mibPerSecond, 0), '1.00×', '1.00×']],
    ['l', 'r', 'r', 'r'],
  );
}

function memoryTable(m) {
  const mb = (b) => (b / 1048576).toFixed(1);
  const handles = (s) => (s.processHandles === null ? 'not measurable' : String(s.processHandles));
  return markdownTable(
    ['', 'before', `after ${m.cycles} cycles`, 'growth'],
    [
      ['RSS (MB)', mb(m.before.rssBytes), mb(m.after.rssBytes), fmt(m.rssGrowthMb, 2)],
      ...(m.warmupRssGrowthMb !== undefined ? [[`RSS over the ${m.warmup} warm-up cycles before (MB)`, '', '', fmt(m.warmupRssGrowthMb, 2)]] : []),
      ...(m.control ? [[`control: RSS over ${m.cycles} ${m.control.name} cycles (MB)`, '', '', fmt(m.control.rssGrowthMb, 2)]] : []),
      ['V8 heap used (MB)', mb(m.before.heapUsedBytes), mb(m.after.heapUsedBytes), fmt(m.heapGrowthMb, 2)],
      ['process handles', handles(m.before), handles(m.after), m.handleGrowth === null ? m.handlesNote : String(m.handleGrowth)],
      ["addon's open SOCKETs", m.before.addonOpenSockets, m.after.addonOpenSockets, m.after.addonOpenSockets - m.before.addonOpenSockets],
      ...(m.before.addonJobsAlive !== undefined ? [["addon's native jobs alive", m.before.addonJobsAlive, m.after.addonJobsAlive, m.after.addonJobsAlive - m.before.addonJobsAlive]] : []),
      ['addon pool threads', m.before.poolThreads, m.after.poolThreads, m.after.poolThreads - m.before.poolThreads],
    ],
    ['l', 'r', 'r', 'r'],
  );
}

const STAGES = [
  ['queuedUs', 'queued: JS call → a pool thread starts'],
  ['executeUs', 'execute: the Winsock calls on the pool thread'],
  ['handBackUs', 'hand back: → the JS thread holds the result'],
  ['jsUs', 'JS: start call + promise'],
  ['roundTripUs', '= job round trip (net.connect: to its connect event)'],
  ['uvOpenUs', 'adopt: tcp_wrap open (uv_tcp_open)'],
  ['netSocketUs', 'adopt: new net.Socket'],
  ['closeUs', 'close until the handle is gone'],
];

function handoffTable(rows) {
  return markdownTable(
    ['stage (median µs)', ...rows.map((r) => r.name)],
    STAGES.map(([field, label]) => [label, ...rows.map((r) => (r.medianUs[field] === undefined ? '-' : fmt(r.medianUs[field], 0)))]),
    ['l', ...rows.map(() => 'r')],
  );
}

function costsTable(costs) {
  return markdownTable(
    ['call (plain C, costs.exe)', 'median µs', 'p99 µs'],
    costs.rows.map((r) => [r.name, fmt(r.medianUs, 1), fmt(r.p99Us, 1)]),
    ['l', 'r', 'r'],
  );
}

/** [what ran, on which host] as two short sentences. */
function environment(r) {
  const run = `${r.date}: node ${r.node} ${r.platform}, ${r.wine ? `Wine ${r.wine}` : 'native Windows'}, ${r.cpus} CPU(s)` +
    `${r.quick ? ', QUICK mode (smoke run: small counts, figures indicative only)' : ''}.`;
  const host = r.host ? `Host ${r.host.os}, 1-minute load average ${r.host.loadavg1mBefore} before, ${r.host.loadavg1mAfter} after.` : '';
  return [run, host];
}

function environmentLine(r) {
  return environment(r).filter(Boolean).join(' ');
}

function toMarkdown(r) {
  const parts = [`# winsock-connect benchmark`, '', environmentLine(r), '', '## Targets', '', scorecard(r.figures), ''];
  if (r.latency) {
    parts.push('## Sequential connect + adopt + close', '');
    parts.push(`Loopback server in a process of its own (the client loop does only client work); ${r.config.iterations} iterations per method, round-robin, rotating order.`, '', latencyTable(r.latency.separate), '');
    if (r.latency.busyCpu) {
      parts.push('The same, with one CPU kept busy by a spinning process (system calls get cheaper; the thread hand-offs weigh more):', '', latencyTable(r.latency.busyCpu), '');
    }
    if (r.latency.inProcess) {
      parts.push('Loopback server inside the benchmark process (its accepts share the measured event loop):', '', latencyTable(r.latency.inProcess), '');
    }
    const kernel = r.latency.separate.rows.find((x) => x.kernel);
    if (kernel?.insideDriver) parts.push(`Kernel row: of its ${fmt(kernel.medianMs)} ms median, ${fmt(kernel.insideDriver.medianMs)} ms are inside the driver (socket → bind → connect); the rest is the IOCTL round trip and the pool hand-off.`, '');
  }
  if (r.concurrency) parts.push('## Concurrent connects', '', concurrencyTable(r.concurrency), '');
  if (r.isolation) parts.push('## Threadpool isolation', '', `${r.isolation.hanging} connects (${r.isolation.methods.join(', ')}) hang on a listener whose accept queue is full.`, '', isolationTable(r.isolation), '');
  if (r.throughput) parts.push('## Throughput', '', throughputTable(r.throughput), '');
  if (r.memory) parts.push('## Memory and handles', '', `${r.memory.cycles} connect/close cycles of ${r.memory.methods.join(', ')} (after ${r.memory.warmup} warm-up cycles; gc ${r.memory.gcExposed ? 'forced' : 'NOT exposed'} before each snapshot).`, '', memoryTable(r.memory), '');
  if (r.handoff) {
    parts.push('## Where the time goes', '');
    parts.push('Server in its own process:', '', handoffTable(r.handoff.separate), '');
    if (r.handoff.inProcess) parts.push('Server inside the benchmark process:', '', handoffTable(r.handoff.inProcess), '');
    if (r.handoff.costs?.rows) parts.push('Per-call costs without Node (same listener):', '', costsTable(r.handoff.costs), '');
  }
  return `${parts.join('\n')}\n`;
}

// ---------------------------------------------------------------------------
// SVG: one bar per target figure, as a share of its target (1.0 = the target).
// ---------------------------------------------------------------------------

function escapeXml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }[c]));
}

/** value ÷ limit for "≤/<" targets, limit ÷ value for "≥": at most 1 meets the target. */
function shareOfTarget(f) {
  if (f.value === null || !f.target) return null;
  if (f.target.op === '>=') return f.value > 0 ? f.target.limit / f.value : Infinity;
  return f.value / f.target.limit;
}

function toSvg(r) {
  const figures = r.figures.filter((f) => f.target);
  const width = 1060;
  const labelWidth = 470;
  const barArea = width - labelWidth - 250;
  const rowHeight = 24;
  const top = 72;
  const height = top + figures.length * rowHeight + 48;
  const maxShare = Math.min(3, Math.max(1.5, ...figures.map(shareOfTarget).filter(Number.isFinite)));
  const x = (share) => labelWidth + (Math.min(share, maxShare) / maxShare) * barArea;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="12" y="22" font-size="16" font-weight="bold">winsock-connect: each figure as a share of its target (bar ≤ 1.0 meets it)</text>`);
  environment(r).forEach((line, i) => out.push(`<text x="12" y="${40 + i * 14}" fill="#555">${escapeXml(line)}</text>`));
  for (let tick = 0; tick <= maxShare + 1e-9; tick += 0.5) {
    const tx = x(tick);
    out.push(`<line x1="${tx.toFixed(1)}" y1="${top - 6}" x2="${tx.toFixed(1)}" y2="${height - 40}" stroke="${tick === 1 ? '#333' : '#ddd'}" ${tick === 1 ? 'stroke-dasharray="5,3"' : ''}/>`);
    out.push(`<text x="${tx.toFixed(1)}" y="${height - 26}" text-anchor="middle" fill="#555">${tick.toFixed(1)}</text>`);
  }
  out.push(`<text x="${x(1).toFixed(1)}" y="${height - 10}" text-anchor="middle" fill="#333">target</text>`);
  figures.forEach((f, i) => {
    const y = top + i * rowHeight;
    const share = shareOfTarget(f);
    out.push(`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeXml(f.name)}</text>`);
    if (share === null) {
      out.push(`<rect x="${labelWidth}" y="${y + 4}" width="${barArea}" height="${rowHeight - 8}" fill="#eeeeee"/>`);
      out.push(`<text x="${labelWidth + 6}" y="${y + 15}" fill="#666">not measurable here${f.note ? `: ${escapeXml(f.note)}` : ''}</text>`);
      return;
    }
    const color = f.met ? '#2e7d32' : '#c62828';
    const end = x(share);
    out.push(`<rect x="${labelWidth}" y="${y + 4}" width="${Math.max(1, end - labelWidth).toFixed(1)}" height="${rowHeight - 8}" fill="${color}"/>`);
    const clipped = share > maxShare ? ' ▶' : '';
    out.push(`<text x="${(end + 6).toFixed(1)}" y="${y + 15}" fill="${color}">${escapeXml(`${figureValue(f)}${clipped} (${f.target.text})`)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

module.exports = { toMarkdown, toSvg, shareOfTarget, escapeXml };
