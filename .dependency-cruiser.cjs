/**
 * The project's import rules (DESIGN.md's layout), checked by `npm test`. Each names the folder
 * rule it keeps; `npm run check:imports` runs them alone.
 */
module.exports = {
  forbidden: [
    {
      name: 'claims-stand-alone',
      comment: 'claims/ imports nothing of the project: another tool could take it alone, as wascap is taken',
      severity: 'error',
      from: { path: '^claims/' },
      to: { path: '^(host|providers|toolchain|apps|cli|dashboard|scripts|bench|test)/' },
    },
    {
      name: 'host-names-no-outer-folder',
      comment: 'host/ imports nothing from providers/, cli/, apps/ or dashboard/: they are built on the host, not the other way round',
      severity: 'error',
      from: { path: '^host/' },
      to: { path: '^(providers|cli|apps|dashboard|toolchain)/' },
    },
    {
      name: 'host-core-behind-the-lattice-port',
      comment: 'the host core reaches the lattice only through the port it defines (remote-targets.ts); host/lattice/ implements it over NATS',
      severity: 'error',
      from: { path: '^host/', pathNot: '^host/lattice/' },
      to: { path: '^host/lattice/|(^|/)node_modules/nats/' },
    },
    {
      name: 'providers-through-host-index',
      comment: 'a provider uses the host only through host/index.ts, the provider SDK, and its contracts\' guest sides through host/guest-side.ts',
      severity: 'error',
      from: { path: '^providers/' },
      to: { path: '^host/', pathNot: '^host/(index|guest-side)\\.ts$' },
    },
    {
      name: 'nats-only-in-the-lattice',
      comment: 'only host/lattice/ imports nats: the rest of the project reaches the lattice through it',
      severity: 'error',
      from: { pathNot: '^host/lattice/' },
      to: { path: '(^|/)node_modules/nats/' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'folders depend on each other in one direction: a cycle that leaves a folder ties two ideas together',
      severity: 'error',
      from: { path: '^([a-z-]+)/' },
      to: { circular: true, viaSomeNot: '^$1/' },
    },
    {
      name: 'no-subfolder-cycles',
      comment: 'the same within a folder: host/lattice/, host/wasi/, host/control/ and the rest depend on the host core one way',
      severity: 'error',
      from: { path: '^([a-z-]+/[a-z-]+)/' },
      to: { circular: true, viaSomeNot: '^$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|dashboard/web/dist|test-results)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
