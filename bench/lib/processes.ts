import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServiceProcess {
  url: string;
  pid: number;
  output: () => string;
  stop(): Promise<void>;
  /** SIGKILL: a crash, no graceful close. */
  kill(): Promise<void>;
}

/** The service as `npm start` runs it: the build in dist/ (scripts/run-bench.mjs builds it first), on plain node. */
export const SERVICE_ENTRY = 'dist/main.js';

/**
 * Starts an entry point in its own process and waits until `readyPath` answers 200: a TypeScript
 * one through tsx, a built one (.js) on plain node, loading the workspace packages from their builds too.
 */
export async function startProcess(entry: string, args: string[], env: Record<string, string>, url: string, readyPath = '/readyz', nodeFlags: string[] = []): Promise<ServiceProcess> {
  const built = entry.endsWith('.js');
  const nodeOptions = built ? (process.env.NODE_OPTIONS ?? '').replace('--conditions=stripe-emulator-source', '').trim() : process.env.NODE_OPTIONS;
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, ...(built ? [] : ['--import', 'tsx']), entry, ...args], {
    env: { ...process.env, NODE_OPTIONS: nodeOptions ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited early:\n${output}`);
    const ok = await fetch(`${url}${readyPath}`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${entry} did not become ready:\n${output}`);
    await sleep(200);
  }
  return {
    url,
    pid: child.pid!,
    output: () => output,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

/** Resident set size of a process in MiB, from /proc (Linux). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kib / 1024;
}

/** CPU time (user + system) a process has used, in seconds, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name; in clock ticks (100/s).
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

/** CPU time of each PostgreSQL server process on this machine, in seconds, by pid (Linux). */
function postgresCpuSeconds(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') byPid.set(Number(pid), cpuSeconds(Number(pid)));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return byPid;
}

/**
 * What PostgreSQL's processes used between two readings: a process alive at both counts its
 * difference, one started in between all it used. (One that ended in between is lost; a sum of
 * totals would instead take its whole life's time off the window.)
 */
function postgresCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let used = 0;
  for (const [pid, seconds] of after) used += seconds - (before.get(pid) ?? 0);
  return used;
}

export interface CpuUse {
  /** The service's process, its embedded emulator's thread included. */
  service: number;
  postgres: number;
  /** This process: the load generator, or the SDK client of the raw baseline. */
  client: number;
}

/** Measures the CPU seconds spent between start() and stop(), per process, summed over every start()/stop() pair. */
export function cpuMeter(servicePid: number) {
  const read = () => {
    const self = process.cpuUsage();
    return { service: cpuSeconds(servicePid), postgres: postgresCpuSeconds(), client: (self.user + self.system) / 1e6 };
  };
  let started: ReturnType<typeof read> | undefined;
  let used: CpuUse = { service: 0, postgres: 0, client: 0 };
  return {
    start: () => void (started = read()),
    stop: () => {
      const now = read();
      used = {
        service: used.service + now.service - started!.service,
        postgres: used.postgres + postgresCpuBetween(started!.postgres, now.postgres),
        client: used.client + now.client - started!.client,
      };
    },
    used: () => used,
  };
}

export type CpuMeter = ReturnType<typeof cpuMeter>;
