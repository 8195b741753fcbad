#!/usr/bin/env node
/**
 * Runs a TypeScript entry point of this workspace without a build step:
 * `node tools/run.cjs <file.ts> [args...]`. Uses @swc-node/register (decorator metadata for NestJS,
 * tsconfig path aliases from tsconfig.base.json).
 */
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', 'tsconfig.base.json');
const [, , entry, ...rest] = process.argv;
if (!entry) {
  console.error('usage: node tools/run.cjs <entry.ts> [args...]');
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(entry), ...rest];
require('@swc-node/register');
require(path.resolve(entry));
