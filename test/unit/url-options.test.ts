import { describe, expect, it } from 'vitest';
import { parseUrlOptions } from '../../src/app/url-options.ts';

describe('embedding options from the query string', () => {
  it('reads experiments, preset and flags', () => {
    expect(parseUrlOptions('?experiments=cpu-heavy&preset=quick&embed&autorun')).toEqual({
      experiments: ['cpu-heavy'],
      unknown: [],
      preset: 'quick',
      embed: true,
      autorun: true,
    });
  });

  it('defaults to everything, default preset, no embedding; unknown ids are reported, not dropped silently', () => {
    expect(parseUrlOptions('')).toEqual({ experiments: [], unknown: [], preset: 'default', embed: false, autorun: false });
    const odd = parseUrlOptions('?experiment=nope,cpu-heavy&preset=huge&embed=0');
    expect(odd.experiments).toEqual(['cpu-heavy']);
    expect(odd.unknown).toEqual(['nope']);
    expect(odd.preset).toBe('default');
    expect(odd.embed).toBe(false);
  });

  it('carries an endpoint URL for api-calls, encoded as a query value', () => {
    const url = `https://api.example.com/ping?x=${Math.random()}`;
    expect(parseUrlOptions(`?experiments=api-calls&endpoint=${encodeURIComponent(url)}`).endpoint).toBe(url);
    expect(parseUrlOptions('?endpoint=').endpoint).toBeUndefined();
  });
});
