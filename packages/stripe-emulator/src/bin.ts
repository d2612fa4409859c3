#!/usr/bin/env node
import { runStripeEmulatorCommand } from './cli.js';

await runStripeEmulatorCommand(process.argv.slice(2));
