/**
 * The speedup chart of the results element as numbers: scales, ticks and pixel positions of every mark, with
 * no DOM, so the geometry is unit-tested and drawing it is a loop. It reads like the lab's chart: lanes against
 * speedup over serial, both on log2 axes (the ideal is the diagonal, a halving reads like a doubling), bars
 * from the medians' 95% intervals, the ideal and each informative Amdahl fit dashed, a rule at 1×.
 */
import { shortTick } from '../components/charts/axis-format.ts';
import type { CurvePoint, SpeedupMark } from '../analysis/speedup-series.ts';

/** Categorical colours (Observable Plot's default scheme, as the lab's charts use). */
export const SERIES_COLOURS = ['#4269d0', '#efb118', '#ff725c', '#6cc5b0', '#3ca951', '#ff8ab7', '#a463f2', '#97bbf5', '#9c6b4e', '#9498a0'];
/** The colour of reference lines that belong to no series: the ideal and the 1× rule. */
export const REFERENCE_COLOUR = '#888888';

/** Where the plot area sits in the chart, in px of the SVG's viewBox. */
export interface PlotFrame {
  widthPx: number;
  heightPx: number;
  leftPx: number;
  rightPx: number;
  topPx: number;
  bottomPx: number;
}

/** The default frame: room for tick labels left and below, and for the axis labels inside it. */
export const DEFAULT_FRAME: PlotFrame = { widthPx: 640, heightPx: 320, leftPx: 44, rightPx: 624, topPx: 24, bottomPx: 288 };

/** An axis tick: its value, its position in px and its label. */
export interface Tick {
  value: number;
  px: number;
  label: string;
}

/** One measured point, placed. */
export interface PlacedPoint {
  workers: number;
  speedup: number;
  low: number;
  high: number;
  xPx: number;
  yPx: number;
  lowPx: number;
  highPx: number;
}

/** A lane sweep, placed, with its colour. */
export interface PlacedSeries {
  name: string;
  colour: string;
  points: PlacedPoint[];
}

/** A reference curve (the ideal, an Amdahl fit) as an SVG path. */
export interface PlacedCurve {
  name: string;
  colour: string;
  kind: 'ideal' | 'fit';
  path: string;
}

/** Everything the chart draws. */
export interface SpeedupPlot {
  frame: PlotFrame;
  xTicks: Tick[];
  yTicks: Tick[];
  /** Where speedup 1 is: the rule that tells a gain from a loss. */
  oneYPx: number;
  series: PlacedSeries[];
  curves: PlacedCurve[];
}

/** A log scale from `domain` to `range` (any log base gives the same positions). */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): (value: number) => number {
  const [d0, d1] = [Math.log(domain[0]), Math.log(domain[1])];
  const span = d1 - d0 || 1;
  return (value) => range[0] + ((Math.log(value) - d0) / span) * (range[1] - range[0]);
}

/**
 * Powers of two from `min` to `max`, every one when they are few, every second (or fourth…) otherwise,
 * so that at most `maxCount` ticks remain; always at least the power nearest the domain's middle.
 */
export function powerOfTwoTicks(min: number, max: number, maxCount = 7): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const first = Math.ceil(Math.log2(min) - 1e-9);
  const last = Math.floor(Math.log2(max) + 1e-9);
  if (last < first) return [2 ** Math.round((Math.log2(min) + Math.log2(max)) / 2)];
  let step = 1;
  while ((last - first) / step + 1 > maxCount) step *= 2;
  const ticks: number[] = [];
  for (let e = first; e <= last; e += step) ticks.push(2 ** e);
  return ticks;
}

/** The colour of each series, in order of first appearance, cycling through the scheme. */
function colourOf(names: readonly string[]): (name: string) => string {
  const index = new Map<string, number>();
  for (const name of names) if (!index.has(name)) index.set(name, index.size);
  return (name) => SERIES_COLOURS[(index.get(name) ?? 0) % SERIES_COLOURS.length]!;
}

/** `Amdahl fit (workers)` → `workers`: the sweep a fit curve belongs to (speedup-series names them so). */
function fittedSeries(curveName: string): string | undefined {
  return /^Amdahl fit \((.*)\)$/.exec(curveName)?.[1];
}

/**
 * Place `marks` (lane sweeps) and `curves` (ideal and fits, see referenceCurves) in `frame`. The y domain holds
 * every interval and curve and at least ½× to the largest lane count, as the lab's chart does, with a tenth more
 * room at each end; the x ticks are
 * the lane counts measured.
 */
export function speedupPlot(marks: readonly SpeedupMark[], curves: readonly CurvePoint[], frame: PlotFrame = DEFAULT_FRAME): SpeedupPlot {
  const workers = marks.map((m) => m.workers);
  const maxWorkers = Math.max(2, ...workers);
  const minWorkers = Math.min(1, ...workers);
  // Curves are sampled at powers of 2^⅛, whose last step may pass the largest lane count by a rounding error.
  const drawnCurves = curves
    .filter((c) => c.workers >= minWorkers * 0.9999 && c.workers <= maxWorkers * 1.0001 && c.speedup > 0 && Number.isFinite(c.speedup))
    .map((c) => ({ ...c, workers: Math.min(Math.max(c.workers, minWorkers), maxWorkers) }));
  const positive = (values: number[]) => values.filter((v) => v > 0 && Number.isFinite(v));
  // A tenth of room beyond the extremes on either end, so that no interval ends on the frame.
  const yMin = Math.min(0.5, ...positive(marks.map((m) => m.low)), ...positive(marks.map((m) => m.speedup)), ...drawnCurves.map((c) => c.speedup)) / 1.1;
  const yMax = Math.max(maxWorkers, ...positive(marks.map((m) => m.high)), ...drawnCurves.map((c) => c.speedup)) * 1.1;
  // A few px inside the frame, so that a dot at the ends is not cut in half.
  const inset = 8;
  const x = logScale([minWorkers, maxWorkers], [frame.leftPx + inset, frame.rightPx - inset]);
  const y = logScale([yMin, yMax], [frame.bottomPx, frame.topPx]);
  const clampY = (value: number) => (value > 0 && Number.isFinite(value) ? y(Math.min(Math.max(value, yMin), yMax)) : frame.bottomPx);

  const seriesNames = [...new Set(marks.map((m) => m.series))];
  const colour = colourOf(seriesNames);
  const series = seriesNames.map((name) => ({
    name,
    colour: colour(name),
    points: marks
      .filter((m) => m.series === name)
      .sort((a, b) => a.workers - b.workers)
      .map((m) => ({
        workers: m.workers,
        speedup: m.speedup,
        low: m.low,
        high: m.high,
        xPx: x(m.workers),
        yPx: clampY(m.speedup),
        lowPx: clampY(m.low),
        highPx: clampY(m.high),
      })),
  }));

  const curveNames = [...new Set(drawnCurves.map((c) => c.series))];
  const placedCurves = curveNames.map((name): PlacedCurve => {
    const fitted = fittedSeries(name);
    const points = drawnCurves.filter((c) => c.series === name).sort((a, b) => a.workers - b.workers);
    return {
      name,
      kind: name === 'ideal' ? 'ideal' : 'fit',
      colour: fitted !== undefined && seriesNames.includes(fitted) ? colour(fitted) : REFERENCE_COLOUR,
      path: points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.workers).toFixed(1)},${clampY(p.speedup).toFixed(1)}`).join(''),
    };
  });

  return {
    frame,
    xTicks: [...new Set(workers)].sort((a, b) => a - b).map((value) => ({ value, px: x(value), label: String(value) })),
    yTicks: powerOfTwoTicks(yMin, yMax).map((value) => ({ value, px: y(value), label: shortTick(value) })),
    oneYPx: y(1),
    series,
    curves: placedCurves,
  };
}
