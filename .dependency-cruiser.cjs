/**
 * The dependency rules of Reynolds (docs/architecture.md, "Dependency rules"), checked by
 * `npm run lint:deps`, which `npm test` runs first. Each rule names the design decision it keeps.
 *
 * Folders form a DAG: core <- ports (store/store.ts) <- the pure stages (broker, loops, routing,
 * models, orchestration) <- adapters (github, store/sqlite, store/cosmos, http, teams) <- composition <- index.
 */
// Matched against the resolved path (node_modules/..., or the bare name when a package's exports
// do not resolve here), so a type-only import from @types/... counts too.
const FRAMEWORKS =
  '(^|node_modules/)(@types/)?(restify|botbuilder|botbuilder-[a-z-]+|botframework-[a-z-]+|@microsoft/[^/]+|@azure/[^/]+|@octokit/[^/]+|openai|better-sqlite3|prom-client|pino|adaptivecards|adaptivecards-templating|@opentelemetry/[^/]+|@modelcontextprotocol/[^/]+)(/|$)';
const PURE_STAGES = '^src/(broker|loops|routing|models|orchestration)/';
const ADAPTERS =
  '^src/(http|teams|github|composition|persona|mcp|identity)/|^src/store/(sqlite|cosmos)/|^src/(config|index)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-file-cycles',
      comment:
        'A file cycle means two concepts that cannot be understood (or tested) one at a time.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Folders form a DAG, so each folder can be read knowing only the folders below it.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-imports-nothing',
      comment:
        'src/core holds the domain types every stage shares; it depends on nothing, ours or theirs.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { pathNot: '^src/core/' },
    },
    {
      name: 'pure-stages-import-no-framework',
      comment:
        'broker, loops, routing, orchestration and the model pool talk to the outside through ports (Store, GitHubActions, ModelProvider, Clock); only models/providers speaks to a model SDK.',
      severity: 'error',
      from: { path: PURE_STAGES, pathNot: '^src/models/providers/' },
      to: { path: FRAMEWORKS },
    },
    {
      name: 'pure-stages-import-no-adapter',
      comment:
        'The pure stages never reach into an adapter; adapters are wired to them in src/composition.',
      severity: 'error',
      from: { path: PURE_STAGES },
      to: { path: ADAPTERS },
    },
    {
      name: 'identity-is-pure',
      comment:
        'Sign-in logic (src/identity) talks to GitHub through the GitHubOAuth port; only its adapter, github-oauth-client.ts, imports Octokit, and nothing there reaches into an adapter.',
      severity: 'error',
      from: { path: '^src/identity/', pathNot: '^src/identity/github-oauth-client\\.ts$' },
      to: { path: [FRAMEWORKS, ADAPTERS], pathNot: '^src/identity/' },
    },
    {
      name: 'store-port-is-pure',
      comment:
        'The storage port (store/store.ts) is an interface over core types; the SQLite and Cosmos stores implement it.',
      severity: 'error',
      from: { path: '^src/store/store\\.ts$' },
      to: { pathNot: '^src/(core|store/store)' },
    },
    {
      name: 'only-composition-reads-config',
      comment:
        'Configuration is read in one place (src/composition), which hands each part the settings it needs.',
      severity: 'error',
      from: { pathNot: '^src/(composition/|index\\.ts$|config\\.ts$)|^tests/|^bench/|^scripts/' },
      to: { path: '^src/config\\.ts$' },
    },
    {
      name: 'src-imports-no-tests',
      comment: 'Production code never depends on test support or benchmarks.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(tests|bench|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules is not excluded (that would hide every import of a framework), only not followed.
    exclude: { path: '^(dist|tab)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.tsx', '.js'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
