import { describe, expect, it } from 'vitest';
import { tryCoreCheck } from '../../src/engine/suite-cores.ts';
import type { CoreJudgement } from '../../src/measure/usable-cores.ts';

/** A check that answers the given readings in turn, counting its calls. */
function scripted(readings: Array<Partial<CoreJudgement>>) {
  let calls = 0;
  const check = async () => readings[Math.min(calls++, readings.length - 1)] as CoreJudgement;
  return { check, calls: () => calls };
}

describe('the check around a suite', () => {
  it('looks once when the first reading is not busy', async () => {
    const usable = 1.7 + Math.random() * 0.3;
    const s = scripted([{ usableCores: usable, busy: false }]);
    expect((await tryCoreCheck(s.check, true, new AbortController().signal))?.usableCores).toBe(usable);
    expect(s.calls()).toBe(1);
  });

  it('looks again after a busy first reading and keeps the better one: a page just loaded is not a busy machine', async () => {
    const s = scripted([{ usableCores: 1.0, busy: true }, { usableCores: 1.9, busy: false }]);
    expect(await tryCoreCheck(s.check, true, new AbortController().signal)).toMatchObject({ usableCores: 1.9, busy: false });
    expect(s.calls()).toBe(2);
  });

  it('still reads busy when something else holds the cores every time, after three looks', async () => {
    const s = scripted([{ usableCores: 1.2, busy: true }, { usableCores: 1.1, busy: true }, { usableCores: 1.15, busy: true }]);
    expect(await tryCoreCheck(s.check, true, new AbortController().signal)).toMatchObject({ usableCores: 1.2, busy: true });
    expect(s.calls()).toBe(3);
  });

  it('a page that settles only by the third look reads not busy', async () => {
    const s = scripted([{ usableCores: 1.1, busy: true }, { usableCores: 1.4, busy: true }, { usableCores: 1.9, busy: false }]);
    expect(await tryCoreCheck(s.check, true, new AbortController().signal)).toMatchObject({ usableCores: 1.9, busy: false });
    expect(s.calls()).toBe(3);
  });

  it('records nothing without workers or when the check fails', async () => {
    expect(await tryCoreCheck(async () => ({ usableCores: 2, busy: false }) as CoreJudgement, false, new AbortController().signal)).toBeUndefined();
    const failing = async (): Promise<CoreJudgement> => {
      throw new Error('worker died');
    };
    expect(await tryCoreCheck(failing, true, new AbortController().signal)).toBeUndefined();
  });
});
