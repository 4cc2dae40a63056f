/** Every CLI command, in the order `--help` lists them. */
import { Command } from 'commander';
import * as review from './review';

export interface CommandModule {
  register(program: Command): void;
}

export const COMMANDS: CommandModule[] = [review];
