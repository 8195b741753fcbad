import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/node_modules', '**/dist', '**/tmp', '**/out', '.nx', 'coverage'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            // Domain libraries: pure TypeScript, no framework, no I/O; they may only use other domain libs.
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'] },
            // Protocol libraries (wire formats, clients, bus contracts) may use domain libs.
            { sourceTag: 'type:protocol', onlyDependOnLibsWithTags: ['type:domain', 'type:protocol'] },
            // Service infrastructure shared by every app and feature (health endpoints; later metrics, tracing).
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:domain', 'type:protocol'] },
            // Feature libraries: the NestJS modules of one service (ingestion, ticker plant, detection, exchange).
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:domain', 'type:protocol', 'type:infra'] },
            // Apps are thin shells (config, wiring, transport); the platform app composes feature modules.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:protocol', 'type:infra', 'type:feature'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Domain libs must not import frameworks or I/O modules.
    files: ['libs/market/**/*.ts', 'libs/strategy/**/*.ts', 'libs/matching/**/*.ts', 'libs/odds/**/*.ts', 'libs/risk/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: ['@nestjs/*', 'nats', 'ws', 'node:fs', 'node:net', 'node:http', 'fs', 'net', 'http', 'ioredis', 'typeorm'],
        },
      ],
    },
  },
];
