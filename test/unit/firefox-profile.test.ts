/** Firefox profiles copied from a template set up once: what a copy holds, and what happens when making it fails. */
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshFirefoxProfile, templatePath, type FirstStart } from '../../src/cli/firefox-profile.ts';

let folder: string;
let binary: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'firefox-profile-test-'));
  binary = join(folder, 'firefox');
  await writeFile(binary, `a firefox build ${Math.random()}`);
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** A first start that writes what Firefox's does: set-up files, its preferences, a lock and a session; counts its calls. */
function fakeFirstStart(): FirstStart & { calls: number } {
  const start = Object.assign(
    async (profile: string) => {
      start.calls += 1;
      const marker = String(Math.random());
      await writeFile(join(profile, 'compatibility.ini'), marker);
      await mkdir(join(profile, 'startupCache'));
      await writeFile(join(profile, 'startupCache', 'startupCache.8.little'), marker);
      for (const name of ['prefs.js', 'user.js', 'lock', '.parentlock', 'sessionstore.jsonlz4']) await writeFile(join(profile, name), 'x');
      await mkdir(join(profile, 'sessionstore-backups'));
    },
    { calls: 0 },
  );
  return start;
}

const listed = async (dir: string) => (await readdir(dir, { recursive: true })).sort();

describe('freshFirefoxProfile', () => {
  it('sets up the template once, and each launch gets its own copy of the set-up without preferences, locks or session', async () => {
    const start = fakeFirstStart();
    const first = await freshFirefoxProfile(binary, start, folder);
    const second = await freshFirefoxProfile(binary, start, folder);
    expect(start.calls).toBe(1);
    expect(first).not.toBe(second);
    for (const profile of [first, second]) {
      expect(await listed(profile)).toEqual(['compatibility.ini', 'startupCache', join('startupCache', 'startupCache.8.little')]);
    }
    // A launch changing its copy leaves the template and the other copies alone.
    await writeFile(join(first, 'compatibility.ini'), 'changed');
    expect(await readFile(join(second, 'compatibility.ini'), 'utf8')).not.toBe('changed');
    expect(await readFile(join(await templatePath(binary, folder), 'compatibility.ini'), 'utf8')).not.toBe('changed');
  });

  it('launches started together each get a whole profile, whichever made the template', async () => {
    const start = fakeFirstStart();
    const profiles = await Promise.all([1, 2, 3].map(() => freshFirefoxProfile(binary, start, folder)));
    expect(new Set(profiles).size).toBe(3);
    for (const profile of profiles) expect(await listed(profile)).toContain('compatibility.ini');
    // No half-made template is left behind.
    expect((await readdir(folder)).filter((name) => name.includes('making'))).toEqual([]);
  });

  it('gives an empty profile when the first start fails, and tries again next time', async () => {
    const failing: FirstStart = async () => {
      throw new Error('Firefox did not start');
    };
    const profile = await freshFirefoxProfile(binary, failing, folder);
    expect(await readdir(profile)).toEqual([]);
    expect((await readdir(folder)).filter((name) => name.includes('template') || name.includes('making'))).toEqual([]);
    const start = fakeFirstStart();
    expect(await listed(await freshFirefoxProfile(binary, start, folder))).toContain('compatibility.ini');
    expect(start.calls).toBe(1);
  });

  it('keeps a template per Firefox build: another binary date gets a new one', async () => {
    const before = await templatePath(binary, folder);
    await utimes(binary, new Date(), new Date(Date.now() + 60_000));
    expect(await templatePath(binary, folder)).not.toBe(before);
  });
});
