// Tests load the built CLI (dist/) through @oclif/test. Under vitest NODE_ENV is "test", so oclif
// would look for TypeScript sources next to each compiled path it loads (the help class of
// package.json among them), fail to map dist/ back to src/, and print a warning into whichever
// test's stderr comes next. Tell it up front to use the compiled code, as it ends up doing anyway.
const g = globalThis as {oclif?: {enableAutoTranspile?: boolean}}
g.oclif ??= {}
g.oclif.enableAutoTranspile = false
