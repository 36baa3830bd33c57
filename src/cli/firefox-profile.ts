/**
 * Firefox profiles that start fast. A new, empty profile costs Firefox about 2.5 s of set-up at its first start
 * on a 2-core machine (databases, caches, extension lists), and every launch of the bench and the tests gets a
 * new one. So the first launch of a given Firefox build sets up one profile that no page ever touched, keeps it
 * as a template in the temporary folder, and each launch starts from a copy: about 2 s sooner, and nothing
 * carried from one run to the next (no page was ever opened in the template).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * What a copy must not inherit: the preferences the template's own start wrote (each launch writes its own),
 * its lock files, and its session. The rest is the set-up a first start does.
 */
const NOT_COPIED = ['prefs.js', 'user.js', 'lock', '.parentlock', 'sessionstore.jsonlz4', 'sessionstore-backups'];

/** Starts Firefox on `profile` with no page opened and no preferences of ours, then stops it. */
export type FirstStart = (profile: string) => Promise<void>;

/** The template's folder for the Firefox at `executablePath`: a new build (another size or date) gets another. */
export async function templatePath(executablePath: string, folder = tmpdir()): Promise<string> {
  const binary = await stat(executablePath);
  const build = createHash('sha256').update(`${executablePath}\n${binary.size}\n${binary.mtimeMs}`).digest('hex').slice(0, 16);
  return join(folder, `parallel-lab-firefox-template-${build}`);
}

/**
 * A new profile folder for one launch: a copy of the template when there is one (made now by `firstStart` when
 * there is not), an empty folder when anything about the template fails, which only makes that start slower.
 */
export async function freshFirefoxProfile(executablePath: string, firstStart: FirstStart, folder = tmpdir()): Promise<string> {
  const profile = await mkdtemp(join(folder, 'parallel-lab-firefox-'));
  try {
    const template = await templatePath(executablePath, folder);
    if (!existsSync(template)) await makeTemplate(template, firstStart, folder);
    await cp(template, profile, { recursive: true, force: true });
  } catch {
    // An empty profile: Firefox sets it up itself.
    await rm(profile, { recursive: true, force: true });
    return mkdtemp(join(folder, 'parallel-lab-firefox-'));
  }
  return profile;
}

/** Set up a profile by one start of Firefox and move it into place whole; a template made meanwhile by another process wins. */
async function makeTemplate(template: string, firstStart: FirstStart, folder: string): Promise<void> {
  const making = await mkdtemp(join(folder, 'parallel-lab-firefox-making-'));
  try {
    await firstStart(making);
    await Promise.all(NOT_COPIED.map((name) => rm(join(making, name), { recursive: true, force: true })));
    await rename(making, template);
  } catch (error) {
    await rm(making, { recursive: true, force: true });
    // Another launch moved its template into place first: use that one.
    if (!existsSync(template)) throw error;
  }
}

