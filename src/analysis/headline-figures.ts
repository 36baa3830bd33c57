/**
 * The handful of figures that answer the post's questions, read from one results document: each is a ratio
 * of two medians measured side by side in the same run, never an absolute time, with the target it is held to.
 */
import { isMeasured } from '../engine/scaling.ts';
import { breakEvenBoundUs } from './break-even-figure.ts';
import type { ExperimentResult, MeasuredResult, Results } from '../results/schema.ts';

export interface HeadlineFigure {
  id: string;
  /** What is compared, in words. */
  label: string;
  /** The ratio (or other figure), or null when the run holds no such pair. */
  value: number | string | null;
  /** How the value is printed, e.g. "1.87x". */
  text: string;
  /** The target, in words, where the lab holds this figure to one. */
  target?: string;
  /** Whether the target was met; undefined where there is no target or no value. */
  met?: boolean;
  /** For a ratio: the range the two medians' 95% intervals allow (low baseline over high candidate, and back). */
  interval?: [number, number];
}

interface Pick {
  backend: string;
  workers?: number;
  variant?: string;
  /** 'largest' picks the experiment's largest measured size. */
  size?: number | 'largest';
}

function largestSize(experiment: ExperimentResult): number | undefined {
  const sizes = experiment.results.filter(isMeasured).flatMap((r) => (r.size !== undefined ? [r.size] : []));
  return sizes.length > 0 ? Math.max(...sizes) : undefined;
}

function find(experiment: ExperimentResult | undefined, pick: Pick): MeasuredResult | undefined {
  if (!experiment) return undefined;
  const size = pick.size === 'largest' ? largestSize(experiment) : pick.size;
  return experiment.results
    .filter(isMeasured)
    .find(
      (r) =>
        r.backend === pick.backend &&
        (pick.workers === undefined || r.workers === pick.workers) &&
        (pick.variant === undefined || r.variant === pick.variant) &&
        (size === undefined || r.size === size),
    );
}

interface Ratio {
  value: number;
  interval: [number, number];
}

/** Sizes at which a pick (its size aside) was measured. */
function sizesOf(experiment: ExperimentResult, pick: Pick): number[] {
  return experiment.results
    .filter(isMeasured)
    .filter((r) => r.backend === pick.backend && (pick.workers === undefined || r.workers === pick.workers) && (pick.variant === undefined || r.variant === pick.variant))
    .flatMap((r) => (r.size !== undefined ? [r.size] : []));
}

/**
 * baseline median / candidate median (above 1: the candidate is faster), with the range the intervals allow.
 * 'largest' means the largest size at which both were measured: sweeps stop at different sizes per backend.
 */
function ratio(experiment: ExperimentResult | undefined, candidate: Pick, baseline: Pick): Ratio | null {
  if (experiment && (candidate.size === 'largest' || baseline.size === 'largest')) {
    const common = sizesOf(experiment, candidate).filter((s) => sizesOf(experiment, baseline).includes(s));
    if (common.length === 0) return null;
    const size = Math.max(...common);
    candidate = { ...candidate, size };
    baseline = { ...baseline, size };
  }
  const c = find(experiment, candidate);
  const b = find(experiment, baseline);
  if (!c || !b || !(c.medianMs > 0) || !(c.ci95Ms[0] > 0)) return null;
  return { value: b.medianMs / c.medianMs, interval: [b.ci95Ms[0] / c.ci95Ms[1], b.ci95Ms[1] / c.ci95Ms[0]] };
}

function speedupFigure(
  id: string,
  label: string,
  measured: Ratio | null,
  target?: { text: string; met: (x: number) => boolean },
): HeadlineFigure {
  const value = measured?.value ?? null;
  return {
    id,
    label,
    value: value === null ? null : Number(value.toFixed(3)),
    text: value === null ? 'not measured' : `${value.toFixed(2)}x`,
    ...(measured ? { interval: [Number(measured.interval[0].toFixed(3)), Number(measured.interval[1].toFixed(3))] as [number, number] } : {}),
    ...(target ? { target: target.text } : {}),
    ...(target && value !== null ? { met: target.met(value) } : {}),
  };
}

/** A throughput (GFLOP/s or GB/s) rather than a ratio, held to a floor where the lab sets one. */
function throughputFigure(id: string, label: string, value: number | undefined, unit: string, floor?: number): HeadlineFigure {
  return {
    id,
    label,
    value: value ?? null,
    text: value === undefined ? 'not measured' : `${value.toFixed(1)} ${unit}`,
    ...(floor !== undefined ? { target: `≥ ${floor} ${unit}` } : {}),
    ...(floor !== undefined && value !== undefined ? { met: value >= floor } : {}),
  };
}

/** The best throughput of any backend at the experiment's largest measured size. */
function bestAt(experiment: ExperimentResult | undefined, field: 'gbPerSecond' | 'gflops'): number | undefined {
  if (!experiment) return undefined;
  const size = largestSize(experiment);
  const values = experiment.results.filter(isMeasured).filter((r) => r.size === size).flatMap((r) => (r[field] !== undefined ? [r[field]!] : []));
  return values.length > 0 ? Math.max(...values) : undefined;
}

const atLeast = (x: number) => ({ text: `≥ ${x}x`, met: (v: number) => v >= x });
/** "No faster than serial, within noise": a 5% allowance for a shared, noisy machine. */
const noFaster = { text: '≤ 1.05x', met: (v: number) => v <= 1.05 };

/** The figures of one run, in the order the README's table lists them. */
export function headlineFigures(results: Results): HeadlineFigure[] {
  const experiment = (id: string) => results.experiments.find((e) => e.id === id);
  const cpu = experiment('cpu-heavy');
  const add = experiment('array-add');
  const dot = experiment('dot-product');
  const api = experiment('api-calls');
  const tiny = experiment('tiny-tasks');
  const transfer = experiment('data-transfer');
  const serialAt = (size?: 'largest') => ({ backend: 'serial', ...(size ? { size } : {}) });

  const figures: HeadlineFigure[] = [
    speedupFigure('cpu-heavy.workers.2', 'CPU-heavy loop: workers × 2 over serial', ratio(cpu, { backend: 'workers', workers: 2 }, serialAt()), atLeast(1.8)),
    speedupFigure('cpu-heavy.event-loop.2', 'CPU-heavy loop: event loop × 2 over serial', ratio(cpu, { backend: 'event-loop', workers: 2 }, serialAt()), noFaster),
    speedupFigure('cpu-heavy.shared-memory.2', 'CPU-heavy loop: shared memory × 2 over serial', ratio(cpu, { backend: 'shared-memory', workers: 2 }, serialAt())),
    speedupFigure(
      'array-add.shared-memory.2',
      'Array addition, largest size: shared memory × 2 over serial',
      ratio(add, { backend: 'shared-memory', workers: 2, size: 'largest' }, serialAt('largest')),
      { text: '> 1x', met: (v) => v > 1 },
    ),
    speedupFigure(
      'array-add.workers.2',
      'Array addition, largest size: workers × 2 (copying) over serial',
      ratio(add, { backend: 'workers', workers: 2, size: 'largest' }, serialAt('largest')),
    ),
    speedupFigure(
      'dot-product.shared-memory.2',
      'Matrix product, largest n: shared memory × 2 over serial',
      ratio(dot, { backend: 'shared-memory', workers: 2, size: 'largest' }, serialAt('largest')),
      { text: '> 1x', met: (v) => v > 1 },
    ),
    speedupFigure(
      'dot-product.webgpu.tiled-vs-naive',
      'Matrix product, largest n: tiled WGSL kernel over the naive one',
      ratio(dot, { backend: 'webgpu', variant: 'tiled', size: 'largest' }, { backend: 'webgpu', variant: 'naive', size: 'largest' }),
      { text: '> 1x', met: (v) => v > 1 },
    ),
    speedupFigure(
      'dot-product.webgpu.register-vs-naive',
      'Matrix product, largest n both reached: register-tiled WGSL kernel over the naive one',
      ratio(dot, { backend: 'webgpu', variant: 'register', size: 'largest' }, { backend: 'webgpu', variant: 'naive', size: 'largest' }),
      atLeast(3),
    ),
    speedupFigure(
      'dot-product.wasm-simd.2',
      'Matrix product, largest n both reached: WebAssembly SIMD × 2 over serial',
      ratio(dot, { backend: 'wasm-simd', workers: 2, size: 'largest' }, serialAt('largest')),
    ),
    speedupFigure(
      'dot-product.wasm-simd.2-vs-1',
      'Matrix product, largest n: WebAssembly SIMD × 2 over × 1',
      ratio(dot, { backend: 'wasm-simd', workers: 2, size: 'largest' }, { backend: 'wasm-simd', workers: 1, size: 'largest' }),
      atLeast(1.8),
    ),
    throughputFigure('dot-product.wasm-simd.2.gflops', 'Matrix product, n = 1024: WebAssembly SIMD × 2', find(dot, { backend: 'wasm-simd', workers: 2, size: 1024 })?.gflops, 'GFLOP/s', 50),
    throughputFigure('dot-product.wasm-simd.1.gflops', 'Matrix product, n = 1024: WebAssembly SIMD × 1', find(dot, { backend: 'wasm-simd', workers: 1, size: 1024 })?.gflops, 'GFLOP/s'),
    throughputFigure(
      'dot-product.webgpu.register.gflops',
      'Matrix product, largest n it reached: register-tiled WGSL kernel',
      find(dot, { backend: 'webgpu', variant: 'register', size: Math.max(0, ...(dot ? sizesOf(dot, { backend: 'webgpu', variant: 'register' }) : [])) })?.gflops,
      'GFLOP/s',
    ),
    speedupFigure(
      'array-add.wasm-simd.2',
      'Array addition, largest size both reached: WebAssembly SIMD × 2 over serial',
      ratio(add, { backend: 'wasm-simd', workers: 2, size: 'largest' }, serialAt('largest')),
      { text: '> 1x', met: (v) => v > 1 },
    ),
    throughputFigure('array-add.best.gbps', 'Array addition, largest size: best GB/s of any backend', bestAt(add, 'gbPerSecond'), 'GB/s', 40),
    speedupFigure(
      'cpu-heavy.wasm-simd.2',
      'CPU-heavy loop: WebAssembly SIMD × 2 over serial',
      ratio(cpu, { backend: 'wasm-simd', workers: 2 }, serialAt()),
    ),
    speedupFigure(
      'dot-product.webgpu.tiled',
      'Matrix product, largest n: tiled WGSL kernel over serial',
      ratio(dot, { backend: 'webgpu', variant: 'tiled', size: 'largest' }, serialAt('largest')),
    ),
    speedupFigure('api-calls.event-loop.8', 'API calls: event loop × 8 in flight over serial', ratio(api, { backend: 'event-loop', workers: 8 }, serialAt()), atLeast(3)),
  ];
  const saturates = api?.derived?.eventLoopSaturatesAt;
  figures.push({
    id: 'api-calls.saturates-at',
    label: 'API calls: requests in flight from which the event loop stops gaining (per-host connection cap)',
    value: saturates ?? null,
    text: saturates === undefined || saturates === null ? 'not measured' : String(saturates),
  });
  const pathName = { spawn: 'a worker spawned per task', pooled: 'pooled workers (a message per task)', atomics: 'a shared-memory mailbox per lane', ring: 'the shared-memory task ring', 'ring-page': 'the shared-memory task ring with the page as a lane' } as const;
  for (const variant of ['spawn', 'pooled', 'atomics', 'ring', 'ring-page'] as const) {
    const key = Object.keys(tiny?.derived ?? {}).find((k) => k.startsWith('breakEvenUs.') && k.endsWith(`.${variant}`));
    const value = key ? tiny!.derived![key]! : null;
    const us = breakEvenBoundUs(value);
    figures.push({
      id: `tiny-tasks.break-even.${variant}`,
      label: `Tiny tasks: task size from which ${pathName[variant]} beat serial`,
      value,
      text: value === null ? 'not measured' : typeof value === 'number' ? `${value} µs` : value === 'never' ? 'never (in the sweep)' : `${value} µs`,
      // The best pooled path is held to a native pool's order of magnitude: a task of 10 µs of work pays.
      ...(variant === 'ring-page' ? { target: '≤ 10 µs', ...(value !== null ? { met: us !== undefined && us <= 10 } : {}) } : {}),
    });
  }
  for (const variant of ['pooled', 'atomics', 'ring', 'ring-page'] as const) {
    const key = Object.keys(tiny?.derived ?? {}).find((k) => k.startsWith('perTaskUs.') && k.endsWith(`.${variant}`));
    const value = key ? tiny!.derived![key]! : null;
    figures.push({
      id: `tiny-tasks.per-task.${variant}`,
      label: `Tiny tasks: cost per empty task through ${pathName[variant]}, ${tiny?.params.emptyBatch ?? '?'} tasks per batch`,
      value,
      text: typeof value === 'number' ? `${value} µs` : 'not measured',
      ...(variant === 'ring-page' ? { target: '≤ 5 µs', ...(typeof value === 'number' ? { met: value <= 5 } : {}) } : {}),
    });
  }
  for (const [backend, variant, name] of [
    ['workers', 'clone', 'structured clone'],
    ['workers', 'transfer', 'transfer'],
    ['shared-memory', undefined, 'SharedArrayBuffer'],
  ] as const) {
    const r = find(transfer, { backend, ...(variant ? { variant } : {}), size: 'largest' });
    figures.push({
      id: `data-transfer.${variant ?? 'shared'}`,
      label: `Data transfer, largest payload: round trip by ${name}`,
      value: r?.gbPerSecond ?? null,
      text: r?.gbPerSecond !== undefined ? `${r.gbPerSecond.toFixed(2)} GB/s` : 'not measured',
    });
  }
  const measured = results.experiments.flatMap((e) => e.results).filter((r) => r.available);
  const verified = measured.filter((r) => 'verified' in r && r.verified === true).length;
  figures.push({
    id: 'verified',
    label: 'Available results verified against the serial reference',
    value: measured.length > 0 ? verified / measured.length : null,
    text: `${verified} of ${measured.length}`,
    target: 'all',
    met: verified === measured.length,
  });
  return figures;
}
