import type { Command } from 'commander';
import { registerBackfill } from './backfill';
import { registerRecord } from './record';

/** Registers one subcommand on the program. */
export type RegisterCommand = (program: Command) => void;

/** Every subcommand of `kalshi-platform`. */
export const COMMANDS: RegisterCommand[] = [
  registerBackfill,
  registerRecord,
];
