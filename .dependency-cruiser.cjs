/**
 * Import rules checked by `npm test` (npm run deps): no cycles, and worker bundles that carry kernels and
 * executors only, never the registry, the engine or the page's code.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle makes load order matter and drags modules into bundles that never use them.',
      from: { path: '^(src|workers)/' },
      to: { circular: true },
    },
    {
      name: 'workers-import-kernels-only',
      severity: 'error',
      comment:
        'Worker entry points reach kernels, executors and measuring code only: not the experiments\' page-side ' +
        'orchestration, the registry, the engine, the results or the UI.',
      from: { path: '^workers/' },
      to: {
        path: '^src/(engine|app|components|results|analysis|env|cli)/|^src/workloads/registry\\.ts$|^src/workloads/[^/]+/index\\.ts$',
        reachable: true,
      },
    },
    {
      name: 'engine-without-svelte',
      severity: 'error',
      comment: 'The engine is plain TypeScript: Svelte belongs to components/ and app/ (the results element stands alone, without it).',
      from: { path: '^src/(engine|executors|measure|analysis|results|workloads|env|elements)/' },
      to: { path: '\\.svelte(\\.ts)?$|^node_modules/svelte/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    moduleSystems: ['es6'],
  },
};
