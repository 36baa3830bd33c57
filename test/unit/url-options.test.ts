import { describe, expect, it } from 'vitest';
import { isPrivateNetworkUrl, MAX_UNKNOWN_SHOWN, parseUrlOptions, unknownExperimentsMessage } from '../../src/app/url-options.ts';

describe('embedding options from the query string', () => {
  it('reads experiments, preset and flags', () => {
    expect(parseUrlOptions('?experiments=cpu-heavy&preset=quick&embed&autorun')).toEqual({
      experiments: ['cpu-heavy'],
      unknown: [],
      preset: 'quick',
      embed: true,
      autorun: true,
      unknownCount: 0,
    });
  });

  it('defaults to everything, default preset, no embedding; unknown ids are reported, not dropped silently', () => {
    expect(parseUrlOptions('')).toEqual({ experiments: [], unknown: [], unknownCount: 0, preset: 'default', embed: false, autorun: false });
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

describe('hostile URL options', () => {
  it.each(['0', 'false', 'FALSE', 'no', 'No', 'off', 'OFF', ' off '])('embed=%s and autorun=%s mean off', (value) => {
    const options = parseUrlOptions(`?embed=${encodeURIComponent(value)}&autorun=${encodeURIComponent(value)}`);
    expect(options.embed).toBe(false);
    expect(options.autorun).toBe(false);
  });

  it.each(['', '1', 'true', 'yes', 'on'])('embed=%s means on', (value) => {
    expect(parseUrlOptions(`?embed=${value}`).embed).toBe(true);
  });

  it('names a few unknown ids, counts the rest, and keeps the message short', () => {
    const count = 200_000 + Math.floor(Math.random() * 1000);
    const ids = Array.from({ length: count }, (_, i) => `nope-${i}-${'x'.repeat(i % 100)}`);
    const options = parseUrlOptions(`?experiments=${ids.join(',')},cpu-heavy`);
    expect(options.experiments).toEqual(['cpu-heavy']);
    expect(options.unknown).toHaveLength(MAX_UNKNOWN_SHOWN);
    expect(options.unknownCount).toBe(count);
    const message = unknownExperimentsMessage(options);
    expect(message).toMatch(new RegExp(`and ${(count - MAX_UNKNOWN_SHOWN).toLocaleString('en-US')} more`));
    expect(message.length).toBeLessThan(1000);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://127.0.0.1:8080/x',
    'http://127.1/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://localhost:3000/',
    'http://api.localhost/',
    'http://printer.local/',
    'http://10.1.2.3/',
    'http://172.16.0.1/',
    'http://172.31.255.255/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'not a url',
  ])('%s is private, loopback or link-local', (url) => {
    expect(isPrivateNetworkUrl(url)).toBe(true);
  });

  it.each(['https://api.example.com/ping', 'http://8.8.8.8/', 'http://172.32.0.1/', 'http://[2001:db8::1]/', 'http://100.128.0.1/'])(
    '%s is public',
    (url) => {
      expect(isPrivateNetworkUrl(url)).toBe(false);
    },
  );
});
