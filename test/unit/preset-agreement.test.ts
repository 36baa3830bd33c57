import { describe, expect, it } from 'vitest';
import { atReferenceSizes, comparePresets } from '../../src/analysis/preset-agreement.ts';
import type { Results } from '../../src/results/schema.ts';
import { experimentResult as experiment, makeResults, measuredResult as measured } from '../fixtures/make-results.ts';

/** A result whose median is `ms` with a 95% interval of ±`halfWidth` of it. */
function around(backend: string, workers: number, ms: number, halfWidth: number, extra: { size?: number; variant?: string } = {}) {
  return { ...measured(backend as never, workers, ms, extra), ci95Ms: [ms * (1 - halfWidth), ms * (1 + halfWidth)] as [number, number] };
}

const row = (rows: ReturnType<typeof comparePresets>, id: string) => rows.find((r) => r.id === id)!;

describe('default against thorough', () => {
  it('judges each ratio at the size the default reached, not at the thorough sweep\'s larger sizes', () => {
    const small = 256;
    const big = 1024;
    // Shared memory's speedup grows with n: 1.3x at the default's largest n, 1.9x further on.
    const atSmall = 1.25 + Math.random() * 0.1;
    const serialSmall = 20 + Math.random() * 10;
    const defaultRun: Results = {
      ...makeResults(),
      experiments: [experiment('dot-product', [around('serial', 1, serialSmall, 0.02, { size: small }), around('shared-memory', 2, serialSmall / atSmall, 0.02, { size: small })])],
    };
    const thoroughRun: Results = {
      ...makeResults(),
      experiments: [
        experiment('dot-product', [
          around('serial', 1, serialSmall, 0.01, { size: small }),
          around('shared-memory', 2, serialSmall / atSmall, 0.01, { size: small }),
          around('serial', 1, serialSmall * 64, 0.01, { size: big }),
          around('shared-memory', 2, (serialSmall * 64) / 1.9, 0.01, { size: big }),
        ]),
      ],
    };
    const rows = comparePresets(defaultRun, thoroughRun);
    const shared = row(rows, 'dot-product.shared-memory.2');
    expect(shared.inside).toBe(true);
    expect(shared.thoroughText).toMatch(new RegExp(`^${atSmall.toFixed(2)}x \\(\\d\\.\\d\\d-\\d\\.\\d\\d\\)$`));
    // The default's own range is printed beside its figure: wider, from fewer samples.
    expect(shared.defaultText).toMatch(new RegExp(`^${atSmall.toFixed(2)}x \\(\\d\\.\\d\\d-\\d\\.\\d\\d\\)$`));
    // The cut keeps only the default's sizes, configuration by configuration.
    const cut = atReferenceSizes(thoroughRun, defaultRun).experiments[0]!.results;
    expect(cut.map((r) => r.size)).toEqual([small, small]);
  });

  it('a size the default\'s sweep skipped is not one it reached: "largest n both reached" stays at the default\'s', () => {
    const small = 512;
    const big = 1024;
    const serialSmall = 150 + Math.random() * 50;
    const wasmSmall = 2 + Math.random();
    // The default's serial sweep stopped before n = 1024 (a skipped row with its reason); WebAssembly reached it.
    const skipped = { backend: 'serial' as const, available: false as const, workers: 1, size: big, reason: 'the sweep stopped', skipped: true };
    const defaultRun: Results = {
      ...makeResults(),
      experiments: [
        experiment('dot-product', [around('serial', 1, serialSmall, 0.01, { size: small }), skipped, around('wasm-simd', 2, wasmSmall, 0.03, { size: small }), around('wasm-simd', 2, 20, 0.03, { size: big })]),
      ],
    };
    const thoroughRun: Results = {
      ...makeResults(),
      experiments: [
        experiment('dot-product', [
          around('serial', 1, serialSmall, 0.02, { size: small }),
          around('serial', 1, serialSmall * 9, 0.02, { size: big }),
          around('wasm-simd', 2, wasmSmall, 0.02, { size: small }),
          around('wasm-simd', 2, 20, 0.02, { size: big }),
        ]),
      ],
    };
    const cut = atReferenceSizes(thoroughRun, defaultRun).experiments[0]!.results;
    expect(cut.filter((r) => r.backend === 'serial').map((r) => r.size)).toEqual([small]);
    const rows = comparePresets(defaultRun, thoroughRun);
    const wasm = rows.find((r) => r.label.startsWith('Matrix product, largest n both reached: WebAssembly SIMD × 2 over serial'))!;
    expect(wasm.inside).toBe(true);
    expect(wasm.thoroughText.startsWith(`${(serialSmall / wasmSmall).toFixed(2)}x`)).toBe(true);
  });

  it('says outside when the default\'s ratio misses the thorough range, and leaves figures without a range unjudged', () => {
    const serialMs = 100 + Math.random() * 50;
    const thoroughSpeedup = 1.85 + Math.random() * 0.1;
    const doc = (speedup: number, halfWidth: number): Results => ({
      ...makeResults(),
      experiments: [experiment('cpu-heavy', [around('serial', 1, serialMs, halfWidth), around('workers', 2, serialMs / speedup, halfWidth)])],
    });
    const thorough = doc(thoroughSpeedup, 0.01);
    // Inside: the same ratio. Outside: 10% lower, past the ±2% the two intervals allow.
    expect(row(comparePresets(doc(thoroughSpeedup, 0.03), thorough), 'cpu-heavy.workers.2').inside).toBe(true);
    expect(row(comparePresets(doc(thoroughSpeedup * 0.9, 0.03), thorough), 'cpu-heavy.workers.2').inside).toBe(false);
    // A figure neither run measured, and a count, are not judged.
    const rows = comparePresets(doc(thoroughSpeedup, 0.03), thorough);
    expect(row(rows, 'array-add.shared-memory.2')).toMatchObject({ inside: undefined, thoroughText: 'not measured' });
    expect(row(rows, 'verified').inside).toBeUndefined();
  });
});
