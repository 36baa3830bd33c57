/**
 * Sizes that find the answer: a size sweep grows for each backend until one run at the next size would take
 * longer than the preset allows, or the experiment's time budget is spent. A GPU emulated on the CPU stops
 * early; a fast backend goes on to sizes where it shows itself. Lane sweeps then run at the largest size each
 * backend reached.
 */
import type { Configuration } from './sweep.ts';

/** What limits the growth of a size sweep in one preset. */
export interface GrowthLimits {
  /** Longest single run a backend may be projected to take at its next size. */
  maxRunMs: number;
  /** The serial reference may run this many times longer, so speedups exist as far up as possible. */
  serialRunFactor: number;
  /** Time the whole experiment may take before no larger size is started. */
  experimentBudgetMs: number;
}

/** Where one backend (and variant, at one lane count) stands in the sweep. */
interface Reached {
  size: number;
  runMs: number;
  /** The part of runMs the GPU spent in the kernel by its own clock, where the device times it. */
  kernelMs?: number;
}

const keyOf = (c: Configuration) => `${c.backend}/${c.variant ?? ''}/${c.workers}`;

/** Tracks how far each backend's sweep got and decides whether the next size is measured. */
export class SizeGrowth {
  private readonly reached = new Map<string, Reached>();
  /** Why each backend's sweep stopped, keyed "backend" or "backend/variant". */
  readonly stopped: Record<string, string> = {};

  constructor(
    private readonly workExponent: number,
    private readonly limits: GrowthLimits,
    private readonly sizeLabel: string,
  ) {}

  /**
   * Record a measured configuration's typical run time and, for a GPU that times its own kernel, the
   * kernel's part of it: only that part is projected to grow with the work.
   */
  record(config: Configuration, runMs: number, kernelMs?: number): void {
    if (config.size === undefined) return;
    const key = keyOf(config);
    const known = this.reached.get(key);
    const kernel = kernelMs !== undefined && kernelMs > 0 && kernelMs <= runMs ? { kernelMs } : {};
    if (!known || config.size >= known.size) this.reached.set(key, { size: config.size, runMs, ...kernel });
  }

  /** The largest size this backend and variant reached at this lane count, if any. */
  largestReached(config: Configuration): number | undefined {
    return this.reached.get(keyOf(config))?.size;
  }

  /** Why `config` is not measured, or undefined when it is. */
  skipReason(config: Configuration, elapsedMs: number): string | undefined {
    if (config.size === undefined) return undefined;
    const known = this.reached.get(keyOf(config));
    if (!known || config.size <= known.size) return undefined;
    const name = config.variant ? `${config.backend}/${config.variant}` : config.backend;
    const size = config.size.toLocaleString('en');
    if (elapsedMs > this.limits.experimentBudgetMs) {
      return this.stop(name, `Not measured at ${this.sizeLabel} ${size}: the experiment's time budget of ${seconds(this.limits.experimentBudgetMs)} was spent.`);
    }
    const growth = (config.size / known.size) ** this.workExponent;
    // Where the GPU timed its kernel, the rest of a run (copies, the browser's answer to a wait, which
    // Firefox gives about every 100 ms) is a floor that does not grow with the work: projecting the whole
    // run would stop the sweep at a size where the kernel itself took a few milliseconds.
    const projectedMs = known.kernelMs !== undefined ? known.runMs + known.kernelMs * (growth - 1) : known.runMs * growth;
    const capMs = this.limits.maxRunMs * (config.backend === 'serial' ? this.limits.serialRunFactor : 1);
    if (projectedMs > capMs) {
      const kernelPart = known.kernelMs !== undefined ? `, ${milliseconds(known.kernelMs)} of it the GPU's kernel` : '';
      return this.stop(
        name,
        `Not measured at ${this.sizeLabel} ${size}: one run would take about ${milliseconds(projectedMs)} ` +
          `(${milliseconds(known.runMs)} at ${known.size.toLocaleString('en')}${kernelPart}), past this preset's ${milliseconds(capMs)} per run.`,
      );
    }
    return undefined;
  }

  private stop(name: string, reason: string): string {
    this.stopped[name] ??= reason;
    return reason;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toLocaleString('en', { maximumFractionDigits: 1 })} s`;
}

function milliseconds(ms: number): string {
  return ms >= 1000 ? seconds(ms) : `${Math.round(ms).toLocaleString('en')} ms`;
}
