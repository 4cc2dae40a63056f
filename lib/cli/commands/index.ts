/** Every CLI command, in the order `--help` lists them. */
import { Command } from 'commander';
import * as adminToken from './admin-token';
import * as downstream from './downstream';
import * as cdk from './cdk';
import * as init from './init';
import * as installProvider from './install-provider';
import * as mainJob from './main';
import * as planGuard from './plan-guard';
import * as provider from './provider';
import * as review from './review';
import * as rotateSecret from './rotate-secret';
import * as rotateSigningKey from './rotate-signing-key';
import * as server from './server';
import * as terraform from './terraform';
import * as verify from './verify';

export interface CommandModule {
  register(program: Command): void;
}

export const COMMANDS: CommandModule[] = [init, mainJob, server, provider, installProvider, cdk, terraform, review, verify, rotateSecret, rotateSigningKey, adminToken, downstream, planGuard];
