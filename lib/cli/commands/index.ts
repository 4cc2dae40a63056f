/** Every CLI command, in the order `--help` lists them. */
import { Command } from 'commander';
import * as installProvider from './install-provider';
import * as provider from './provider';
import * as review from './review';
import * as server from './server';

export interface CommandModule {
  register(program: Command): void;
}

export const COMMANDS: CommandModule[] = [server, provider, installProvider, review];
