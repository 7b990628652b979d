/**
 * Unit and gateway tests. Nest 12 is ESM-only, so ts-jest runs in ESM mode
 * (package.json's test:unit sets --experimental-vm-modules).
 */
const esm = (tsconfig) => ({
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig }] },
  moduleNameMapper: {
    '^@parley/protocol$': '<rootDir>/libs/protocol/src/index.ts',
    '^@parley/nest-signaling$': '<rootDir>/libs/signaling/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
});

export default {
  testTimeout: 30000,
  // The web code imports the compiled message catalogs (apps/web/src/paraglide, generated).
  globalSetup: '<rootDir>/apps/web/build/jest-global-setup.cjs',
  projects: [
    {
      ...esm('tsconfig.json'),
      displayName: 'server',
      rootDir: '.',
      roots: ['<rootDir>/libs', '<rootDir>/apps/api', '<rootDir>/deploy'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      ...esm('apps/web/tsconfig.json'),
      displayName: 'web',
      rootDir: '.',
      transform: {
        '^.+\\.svelte\\.ts$': '<rootDir>/apps/web/build/svelte-module-transform.cjs',
        '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'apps/web/tsconfig.json' }],
      },
      roots: ['<rootDir>/apps/web/src', '<rootDir>/apps/web/build'],
      testMatch: ['**/*.spec.ts'],
    },
  ],
};
