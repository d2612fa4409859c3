/**
 * The emulator's memory benchmark alone (it is also part of `npm run bench`).
 * Usage: node --import tsx --conditions=stripe-emulator-source bench/emulator-memory.ts   (BENCH_EMULATOR_INTENTS=50000)
 */
import { cpus } from 'node:os';
import { measureEmulatorMemory } from './lib/emulator-memory.js';
import { printReport, type Row } from './lib/report.js';

const rows: Row[] = [];
await measureEmulatorMemory(rows);
printReport(rows, { seconds: 0, machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`, node: process.version });
