/**
 * CPU time from /proc: one Chromium instance's process tree (found by its unique user-data-dir) and the
 * server side's (gateway and Orthanc), every thread of every process, and the whole machine's busy
 * time, so a window between two snapshots tells who worked (renderer main thread, decode workers, GPU
 * process, Orthanc, …) and how many cores were busy.
 */
import { readFile, readdir } from 'node:fs/promises';

/** Linux reports CPU time in clock ticks of 1/100 s on every platform Debian ships. */
const TICKS_PER_SECOND = 100;

export interface ThreadTime {
  process: string;
  thread: string;
  seconds: number;
}

export interface CpuSnapshot {
  /** process.hrtime in ms, for the window's wall time. */
  at: number;
  /** `${pid}/${tid}` → time of that thread. */
  threads: Map<string, ThreadTime>;
  /** Resident memory per process kind, bytes. */
  rss: Record<string, number>;
  /** Whole machine: busy and total ticks of all cores. */
  machine: { busy: number; total: number };
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  cmdline: string;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined; // the process or thread ended meanwhile
  }
}

/** Fields of /proc/…/stat after the command name (which may hold spaces and parentheses). */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

async function processes(): Promise<ProcessInfo[]> {
  const list: ProcessInfo[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readText(`/proc/${name}/stat`);
    const cmdline = await readText(`/proc/${name}/cmdline`);
    if (!stat || cmdline === undefined) continue;
    list.push({ pid: Number(name), ppid: Number(statFields(stat)[1]), cmdline: cmdline.replace(/\0/g, ' ') });
  }
  return list;
}

function addDescendants(all: ProcessInfo[], tree: Map<number, string>, kind: (p: ProcessInfo) => string): void {
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.set(p.pid, kind(p));
        grew = true;
      }
    }
  }
}

const chromiumKind = (p: ProcessInfo) => {
  const type = /--type=([\w-]+)/.exec(p.cmdline)?.[1] ?? 'browser';
  const sub = /--utility-sub-type=([\w.]+)/.exec(p.cmdline)?.[1];
  return sub ? `${type}:${sub.replace(/\.mojom\..*$/, '')}` : type;
};

/**
 * Process kinds by pid: the browser started with this user-data-dir and its descendants ('browser',
 * 'renderer', 'gpu-process', 'utility:network', …), and the server process with its descendants
 * ('server:gateway', 'server:orthanc').
 */
export async function benchProcesses(userDataDir: string, serverPid: number): Promise<Map<number, string>> {
  const all = await processes();
  const tree = new Map<number, string>();
  const browser = all.find((p) => p.cmdline.includes(`--user-data-dir=${userDataDir}`) && !p.cmdline.includes('--type='));
  if (browser) {
    tree.set(browser.pid, chromiumKind(browser));
    addDescendants(all, tree, chromiumKind);
  }
  tree.set(serverPid, 'server:gateway');
  addDescendants(all, tree, (p) => (/Orthanc/.test(p.cmdline) ? 'server:orthanc' : 'server:other'));
  return tree;
}

async function machineTicks(): Promise<{ busy: number; total: number }> {
  const line = (await readText('/proc/stat'))?.split('\n')[0] ?? 'cpu 0 0 0 0';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

export async function cpuSnapshot(tree: Map<number, string>): Promise<CpuSnapshot> {
  const at = performance.now();
  const threads = new Map<string, ThreadTime>();
  const rss: Record<string, number> = {};
  for (const [pid, kind] of tree) {
    const status = await readText(`/proc/${pid}/status`);
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status ?? '')?.[1] ?? 0);
    rss[kind] = (rss[kind] ?? 0) + kb * 1024;
    const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
    for (const tid of tids) {
      const stat = await readText(`/proc/${pid}/task/${tid}/stat`);
      if (!stat) continue;
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = statFields(stat);
      const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
      threads.set(`${pid}/${tid}`, { process: kind, thread: name, seconds: ticks / TICKS_PER_SECOND });
    }
  }
  return { at, threads, rss, machine: await machineTicks() };
}

export interface CpuWindow {
  wallSeconds: number;
  /** CPU seconds of all Chromium processes in the window. */
  chromiumSeconds: number;
  /** CPU seconds of the server side (gateway and Orthanc). */
  serverSeconds: number;
  /** CPU seconds by process kind and by thread name (threads of the same name added up). */
  byProcess: Record<string, number>;
  byThread: Record<string, number>;
  /** Threads named like decode workers that were busy at least a quarter of the window. */
  busyWorkers: number;
  /** Busy fraction of the whole machine (all cores, every program) in the window, 0..1. */
  machineBusy: number;
}

const isWorkerThread = (t: ThreadTime) => t.process === 'renderer' && /^DedicatedWorker/i.test(t.thread);

export function cpuWindow(from: CpuSnapshot, to: CpuSnapshot): CpuWindow {
  const wallSeconds = (to.at - from.at) / 1000;
  const byProcess: Record<string, number> = {};
  const byThread: Record<string, number> = {};
  let chromiumSeconds = 0;
  let serverSeconds = 0;
  let busyWorkers = 0;
  for (const [key, end] of to.threads) {
    const seconds = end.seconds - (from.threads.get(key)?.seconds ?? 0);
    if (seconds <= 0) continue;
    if (end.process.startsWith('server:')) serverSeconds += seconds;
    else chromiumSeconds += seconds;
    byProcess[end.process] = (byProcess[end.process] ?? 0) + seconds;
    const name = `${end.process}/${end.thread}`;
    byThread[name] = (byThread[name] ?? 0) + seconds;
    if (isWorkerThread(end) && seconds >= 0.25 * wallSeconds) busyWorkers += 1;
  }
  const total = to.machine.total - from.machine.total;
  return {
    wallSeconds,
    chromiumSeconds,
    serverSeconds,
    byProcess,
    byThread,
    busyWorkers,
    machineBusy: total > 0 ? (to.machine.busy - from.machine.busy) / total : 0,
  };
}

/**
 * Pauses `ms` so the previous sample's teardown is over, and returns how busy the machine was meanwhile
 * (0..1 of all cores): with the bench idle, that is other programs' load, which makes a sample noisy.
 */
export async function settle(ms = 300): Promise<number> {
  const before = await machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = await machineTicks();
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : 0;
}
