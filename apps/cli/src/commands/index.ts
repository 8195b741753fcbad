import type { Command } from 'commander';
import { registerBackfill } from './backfill';
import { registerDemo } from './demo';
import { registerExport } from './export';
import { registerKillSwitch } from './kill-switch';
import { registerMigrate } from './migrate';
import { registerOdds } from './odds';
import { registerRecord } from './record';
import { registerReplay } from './replay';
import { registerSchema } from './schema';

/** Registers one subcommand on the program. */
export type RegisterCommand = (program: Command) => void;

/** Every subcommand of `kalshi-platform`. */
export const COMMANDS: RegisterCommand[] = [
  registerBackfill,
  registerDemo,
  registerExport,
  registerKillSwitch,
  registerMigrate,
  registerOdds,
  registerRecord,
  registerReplay,
  registerSchema,
];
