import { describe, expect, it } from 'vitest';
import { shortTick } from '../../src/components/charts/axis-format.ts';
import { describeInterval, formatMs } from '../../src/analysis/number-format.ts';

describe('short tick labels', () => {
  it.each([
    [0.0078125, '1/128'],
    [0.000244140625, '1/4.1k'],
    [2 ** -20, '1/1M'],
    [0.5, '0.5'],
    [0.25, '1/4'],
    [0.3, '0.3'],
    [1, '1'],
    [3, '3'],
    [1024, '1.02k'],
    [65536, '65.5k'],
    [16777216, '16.8M'],
    [0, '0'],
  ])('%d → %s', (value, text) => {
    expect(shortTick(value)).toBe(text);
  });

  it('keeps every power of two from 2^-20 to 2^30 within six characters', () => {
    for (let e = -20; e <= 30; e++) expect(shortTick(2 ** e).length, `2^${e}`).toBeLessThanOrEqual(6);
  });
});

describe('the interval cell explained', () => {
  it('says how well the median is known and, over rounds, what each round read', () => {
    const rounds = Array.from({ length: 3 }, () => 10 + Math.random() * 80);
    const precision = Math.random() / 2;
    const text = describeInterval({ precision, roundMediansMs: rounds });
    expect(text).toBe(`the median is known within ±${(precision * 100).toFixed(1)}%; each round's median: ${rounds.map(formatMs).join(', ')} ms`);
    expect(describeInterval({ precision })).not.toMatch(/round/);
    expect(describeInterval({})).toBe('');
  });
});
