/**
 * Jest runs the TypeScript sources as native ES modules (Node's --experimental-vm-modules,
 * set by the npm scripts), each file compiled on the fly by SWC: types stripped, imports kept.
 */
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2024', keepClassNames: true },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

/** @type {import('jest').Config} */
export default {
  testEnvironment: '<rootDir>/test/support/jest-node-environment.ts',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  roots: ['<rootDir>/src', '<rootDir>/functions', '<rootDir>/bin', '<rootDir>/test', '<rootDir>/app/test'],
  testMatch: ['**/*.test.ts'],
  // The container image tests need an engine and minutes: `npm run test:image` (jest.image.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/image/'],
  modulePathIgnorePatterns: ['<rootDir>/.serverless/', '<rootDir>/.esbuild/', '<rootDir>/.humangov/', '<rootDir>/app/dist/'],
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  // Each file starts its own servers on free ports; two cores run two files at a time.
  maxWorkers: 2,
  // Hooks start real servers and processes; a test that hangs still fails, with its name.
  testTimeout: 60_000,
};
