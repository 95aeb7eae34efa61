/** Jest runs TypeScript sources directly through SWC; `tsc -b` is the type check. */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }];

/** @type {import('jest').Config} */
const common = {
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^@samsa/([a-z-]+)$': '<rootDir>/packages/$1/src' },
  testEnvironment: 'node',
  rootDir: __dirname,
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/packages/*/src/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/harness/globalSetup.ts',
      globalTeardown: '<rootDir>/tests/harness/globalTeardown.ts',
    },
  ],
};
