import type { Command } from 'commander';

/** Registers one subcommand on the program. */
export type RegisterCommand = (program: Command) => void;

/** Every subcommand of `kalshi-platform`. */
export const COMMANDS: RegisterCommand[] = [];
