'use strict';
// The goals of issues #5 and #8, in one place. A figure "meets" its target when
// `value <op> limit`; `of` says what value is compared (a ratio or a quantity).
const TARGETS = {
  latencyVsNet: { op: '<=', limit: 1.05, of: 'ratio', text: '≤ 1.05× net.connect' },
  latencyVsFloor: { op: '<=', limit: 1.15, of: 'ratio', text: '≤ 1.15× C loop' },
  loopDelayP99Ms: { op: '<', limit: 10, of: 'value', unit: 'ms', text: 'event-loop delay p99 < 10 ms' },
  threadpoolVsIdle: { op: '<=', limit: 1.2, of: 'ratio', text: '≤ 1.2× idle' },
  throughputVsNet: { op: '>=', limit: 0.97, of: 'ratio', text: '≥ 0.97× net.Socket' },
  rssGrowthMb: { op: '<', limit: 5, of: 'value', unit: 'MB', text: 'RSS growth < 5 MB' },
  handleGrowth: { op: '<', limit: 16, of: 'value', unit: 'handles', text: 'handle growth < 16' },
  addonObjectsLeft: { op: '<=', limit: 0, of: 'value', unit: 'objects', text: 'none left' },
  liveWhileHangingVsIdle: { op: '<=', limit: 2, of: 'ratio', text: '≤ 2× idle' },
  floodLatenessMs: { op: '<=', limit: 100, of: 'value', unit: 'ms', text: '≤ deadline + 100 ms' },
  floodLoopDelayMaxMs: { op: '<', limit: 50, of: 'value', unit: 'ms', text: 'event-loop delay max < 50 ms' },
  floodExtraThreads: { op: '<=', limit: 16, of: 'value', unit: 'threads', text: '≤ idle + 16 threads' },
};

/** true / false, or null when the value could not be measured. */
function meets(target, value) {
  if (!Number.isFinite(value)) return null;
  switch (target.op) {
    case '<=': return value <= target.limit;
    case '<': return value < target.limit;
    case '>=': return value >= target.limit;
    default: throw new Error(`unknown operator ${target.op}`);
  }
}

/**
 * One reported figure: what was measured, against what, and whether it meets its target.
 * `value` is the compared number (a ratio for ratio targets); `note` explains a null.
 */
function figure({ section, name, value, target, unit, detail, note }) {
  const met = target ? meets(target, value) : null;
  return {
    section,
    name,
    value: Number.isFinite(value) ? Number(value.toFixed(4)) : null,
    // '×' for ratios; else the quantity's unit (the target's, when it has one)
    unit: unit ?? target?.unit ?? '×',
    target: target ?? null,
    met,
    detail: detail ?? '',
    note: note ?? '',
  };
}

module.exports = { TARGETS, meets, figure };
