/**
 * Builds the production bundle once and serves it with the isolation headers for every browser test. Both
 * browser test projects name this setup; they share one build and one server (a second build beside the
 * first would rewrite dist/ under a page that is loading it).
 */
import { resolve } from 'node:path';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';
import { servePreview, type RunningServer } from '../../src/cli/serve.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    labUrl: string;
  }
}

/** The one build and server, and how many projects still use it. */
const shared = globalThis as typeof globalThis & { labServer?: Promise<RunningServer>; labServerUsers?: number };

async function buildAndServe(): Promise<RunningServer> {
  const root = resolve(import.meta.dirname, '../..');
  // Vitest sets NODE_ENV=test, and Vite builds for production only under NODE_ENV=production: without this
  // the tests (and the bundle size check) would read a build with Svelte's development runtime in it.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root, configFile: resolve(root, 'vite.config.ts'), logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return servePreview();
}

export default async function setup(project: TestProject) {
  shared.labServer ??= buildAndServe();
  shared.labServerUsers = (shared.labServerUsers ?? 0) + 1;
  const server = await shared.labServer;
  project.provide('labUrl', server.url);
  return async () => {
    shared.labServerUsers! -= 1;
    if (shared.labServerUsers === 0) {
      delete shared.labServer;
      await server.close();
    }
  };
}
