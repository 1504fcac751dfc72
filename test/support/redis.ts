/**
 * Starts a real Redis (Debian's `redis-server`) for the tests, the way orthanc.ts starts Orthanc:
 * loopback only, a free port, its own temporary folder, no persistence, no configuration file of the
 * system's. `stop()` ends it (the gateway's fail-closed test stops it mid-run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './orthanc.js';

export const REDIS_BINARY = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p)) ?? 'redis-server';

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Freezes the server (SIGSTOP): connections stay open and nothing answers. */
  pause: () => void;
  resume: () => void;
  stop: () => Promise<void>;
}

/** Sends one inline command and reads the first line of the reply (for readiness checks only). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      // A server that wants AUTH answers -NOAUTH: it is up all the same.
      reply = (reply + chunk.toString()).replace(/^-NOAUTH.*/, '+PONG');
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
    socket.on('error', () => undefined);
  });
}

/**
 * Starts redis-server; `port` reuses a port (a restart after `stop()`), otherwise a free one; `password`
 * makes it require AUTH (`requirepass`).
 */
export async function startRedis(port?: number, password?: string): Promise<RedisServer> {
  if (REDIS_BINARY === 'redis-server' && !existsSync('/usr/bin/redis-server')) {
    throw new Error('redis-server is missing. Run: apt-get update && apt-get install -y redis-server');
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'filmless-redis-'));
  port ??= await freePort();
  const child: ChildProcess = spawn(
    REDIS_BINARY,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--daemonize', 'no', '--loglevel', 'warning', ...(password ? ['--requirepass', password] : [])],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${stderr}`);
    if (await ping(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
