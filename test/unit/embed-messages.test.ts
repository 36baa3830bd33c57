/** The iframe API's checks on what a host page posts: act, refuse with a reason, or ignore; never throw. */
import { describe, expect, it } from 'vitest';
import { parseParentOrigins, readHostMessage, suiteRequestOf } from '../../src/embed/messages.ts';
import { validateSuiteRequest } from '../../src/engine/run-suite.ts';

const randomId = () => `run-${Math.random().toString(36).slice(2, 2 + 1 + Math.floor(Math.random() * 10))}`;

describe('readHostMessage', () => {
  it('a well-formed run becomes a suite request the engine accepts', () => {
    const id = randomId();
    const tasks = 1 + Math.floor(Math.random() * 16);
    const outcome = readHostMessage({ type: 'parallel-lab/run', v: 1, id, experiments: ['cpu-heavy'], preset: 'quick', params: { 'cpu-heavy': { tasks } } });
    expect(outcome.kind).toBe('message');
    if (outcome.kind !== 'message' || outcome.message.type !== 'parallel-lab/run') throw new Error('not a run');
    expect(outcome.message.id).toBe(id);
    const request = suiteRequestOf(outcome.message);
    expect(request).toEqual({ experiments: ['cpu-heavy'], preset: 'quick', params: { 'cpu-heavy': { tasks } } });
    expect(() => validateSuiteRequest(request)).not.toThrow();
  });

  it('a cancel carries its id; the preset defaults to default', () => {
    const id = randomId();
    expect(readHostMessage({ type: 'parallel-lab/cancel', v: 1, id })).toEqual({ kind: 'message', message: { type: 'parallel-lab/cancel', v: 1, id } });
    const run = readHostMessage({ type: 'parallel-lab/run', v: 1, id, experiments: ['array-add'] });
    expect(run.kind === 'message' && run.message.type === 'parallel-lab/run' && run.message.preset).toBe('default');
  });

  it.each([
    [{ v: 2 }, /Unknown message version 2/],
    [{ v: '1' }, /Unknown message version "1"/],
    [{ id: undefined }, /needs an id/],
    [{ id: 'x'.repeat(81) }, /needs an id/],
    [{ type: 'parallel-lab/start' }, /Unknown message type "parallel-lab\/start"/],
    [{ experiments: 'cpu-heavy' }, /experiments must be a non-empty list/],
    [{ experiments: [] }, /experiments must be a non-empty list/],
    [{ experiments: [42] }, /experiments must be a non-empty list/],
    [{ preset: 'slow' }, /preset must be one of quick, default, thorough/],
    [{ params: { 'cpu-heavy': 5 } }, /params must map experiment ids to objects/],
    [{ params: [] }, /params must map experiment ids to objects/],
    [{ backends: 'workers' }, /backends must be a list/],
  ])('refuses %j with the reason, keeping a usable id', (change, reason) => {
    const id = randomId();
    const outcome = readHostMessage({ type: 'parallel-lab/run', v: 1, id, experiments: ['cpu-heavy'], preset: 'quick', ...change });
    expect(outcome.kind).toBe('refused');
    if (outcome.kind !== 'refused') return;
    expect(outcome.reason).toMatch(reason);
    if (!('id' in change)) expect(outcome.id).toBe(id);
  });

  it('ignores what is not the lab\'s: other types, primitives, arrays, null', () => {
    for (const data of [null, undefined, 7, 'parallel-lab/run', [], [{ type: 'parallel-lab/run' }], { type: 'webpackOk' }, { type: 5 }, {}]) {
      expect(readHostMessage(data)).toEqual({ kind: 'ignored' });
    }
  });

  it('never throws, whatever is posted: random structures, throwing getters, proxies', () => {
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;
    const values = (): unknown => pick([null, 0, -1, 1e400, Number.NaN, '', 'x', true, [], {}, [1, 'a'], { a: 1 }, 'parallel-lab/run', 1, 2, ['cpu-heavy'], Symbol('s')]);
    const keys = ['type', 'v', 'id', 'experiments', 'preset', 'params', 'backends', '__proto__', 'constructor'];
    for (let i = 0; i < 2_000; i++) {
      const data: Record<string, unknown> = Object.create(null);
      data.type = pick(['parallel-lab/run', 'parallel-lab/cancel', 'parallel-lab/other', values()]);
      for (const key of keys) if (Math.random() < 0.5) data[key] = values();
      expect(() => readHostMessage(data)).not.toThrow();
    }
    const hostile = { type: 'parallel-lab/run', v: 1, id: 'a', get experiments(): never { throw new Error('gotcha'); } };
    expect(readHostMessage(hostile)).toMatchObject({ kind: 'refused', reason: /could not be read: gotcha/ });
    const proxy = new Proxy({}, { get: () => { throw new Error('trap'); } });
    expect(() => readHostMessage(proxy)).not.toThrow();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('parseParentOrigins', () => {
  it('reads repeated and comma-separated origins, and reports what is not an origin', () => {
    const port = 1_000 + Math.floor(Math.random() * 60_000);
    const { origins, invalid } = parseParentOrigins(
      `?parentOrigin=https://a.example&parentOrigin=http://127.0.0.1:${port},https://b.example/&parentOrigin=javascript:alert(1)&parentOrigin=https://c.example/path`,
    );
    expect(origins).toEqual(['https://a.example', `http://127.0.0.1:${port}`, 'https://b.example']);
    expect(invalid).toEqual(['javascript:alert(1)', 'https://c.example/path']);
  });

  it('no parameter: no restriction, nothing invalid', () => {
    expect(parseParentOrigins('?embed&experiments=cpu-heavy')).toEqual({ origins: [], invalid: [] });
  });
});
