'use strict';
// Summaries of timing samples (nearest-rank percentiles, as floor.c computes them).

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/** {n, medianMs, p99Ms, meanMs, minMs, maxMs} of samples in ms. */
function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { n: 0, medianMs: NaN, p99Ms: NaN, meanMs: NaN, minMs: NaN, maxMs: NaN };
  return {
    n,
    medianMs: median(sorted),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.reduce((s, v) => s + v, 0) / n,
    minMs: sorted[0],
    maxMs: sorted[n - 1],
  };
}

/** A number rounded for JSON (null when not finite). */
function round(value, digits = 4) {
  return Number.isFinite(value) ? Number(value.toFixed(digits)) : null;
}

/** Every number of a flat object rounded. */
function rounded(object, digits = 4) {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, typeof v === 'number' ? round(v, digits) : v]));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { percentile, median, summarize, round, rounded, sleep };
