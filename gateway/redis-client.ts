/**
 * A small Redis client for the gateway's shared token state: RESP2 over one TCP (or TLS) connection,
 * commands pipelined in order, and the one property a security component needs from it: it fails fast.
 *
 * - No offline queue: a command sent while Redis is unreachable is refused at once
 *   (`RedisUnavailableError`), never parked until Redis comes back.
 * - Every command has a deadline (`commandTimeoutMs`). A command that misses it breaks the connection,
 *   so every command waiting on that connection fails with `RedisUnavailableError` and the replies of
 *   the next connection cannot be mistaken for theirs.
 * - After a failed connection attempt, commands fail at once for a short back-off (doubling up to 2 s)
 *   before the next attempt, so a dead Redis is not hammered with one connect per request.
 *
 * Only what the gateway uses is here: commands as arrays of strings, replies as strings, integers,
 * null or arrays. `redis://[user:password@]host[:port][/db]` and `rediss://` (TLS) are understood.
 */
import net from 'node:net';
import tls from 'node:tls';

export type RedisReply = string | number | null | RedisReply[];

/** Redis could not be reached or did not answer in time: the caller must fail closed. */
export class RedisUnavailableError extends Error {}

/** Redis answered with an error reply (a bug or a misconfiguration, not an outage). */
export class RedisReplyError extends Error {}

export interface RedisClientOptions {
  /** `redis://[user:password@]host[:port][/db]`, or `rediss://…` for TLS. */
  url: string;
  /** Deadline for each command, connecting included (default 1000 ms). */
  commandTimeoutMs?: number;
}

/** Largest reply accepted (the gateway's replies are a few bytes; a runaway reply breaks the connection). */
const MAX_BUFFER = 8 * 1024 * 1024;
const CRLF = Buffer.from('\r\n');

interface Pending {
  resolve: (reply: RedisReply) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

interface Target {
  host: string;
  port: number;
  tls: boolean;
  username: string | undefined;
  password: string | undefined;
  db: number | undefined;
}

/** Reads a redis:// URL; throws an Error whose message never repeats the password. */
export function parseRedisUrl(url: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('The Redis URL is not a URL (redis://host:port or rediss://host:port).');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error('The Redis URL must start with redis:// or rediss://.');
  if (!parsed.hostname) throw new Error('The Redis URL names no host.');
  const dbText = parsed.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,2}$/.test(dbText)) throw new Error('The Redis URL path must be a database number, e.g. redis://host:6379/0.');
  const port = parsed.port ? Number(parsed.port) : 6379;
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    tls: parsed.protocol === 'rediss:',
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: dbText === '' ? undefined : Number(dbText),
  };
}

/** One command in RESP: an array of bulk strings. */
export function encodeCommand(args: readonly (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(String(arg), 'utf8');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

type Parsed = { reply: RedisReply | RedisReplyError; next: number } | undefined;

/**
 * Parses one RESP2 reply starting at `offset`; undefined when the buffer does not hold all of it yet.
 * Throws on bytes that are not RESP (the connection is then broken off).
 */
export function parseReply(buffer: Buffer, offset = 0): Parsed {
  if (offset >= buffer.length) return undefined;
  const lineEnd = buffer.indexOf(CRLF, offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { reply: line, next };
    case '-':
      return { reply: new RedisReplyError(line), next };
    case ':': {
      if (!/^-?\d+$/.test(line)) throw new Error('Malformed integer reply');
      return { reply: Number(line), next };
    }
    case '$': {
      const length = Number(line);
      if (!Number.isInteger(length) || length < -1 || length > MAX_BUFFER) throw new Error('Malformed bulk reply');
      if (length === -1) return { reply: null, next };
      if (buffer.length < next + length + 2) return undefined;
      return { reply: buffer.toString('utf8', next, next + length), next: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (!Number.isInteger(count) || count < -1 || count > 1_000_000) throw new Error('Malformed array reply');
      if (count === -1) return { reply: null, next };
      const items: RedisReply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, at);
        if (!item) return undefined;
        // An error inside an array (EXEC) is kept as its message; the gateway sends no MULTI.
        items.push(item.reply instanceof RedisReplyError ? item.reply.message : item.reply);
        at = item.next;
      }
      return { reply: items, next: at };
    }
    default:
      throw new Error('Not a RESP reply');
  }
}

export class RedisClient {
  private readonly target: Target;
  private readonly timeoutMs: number;
  private socket: net.Socket | undefined;
  /** Resolves when the connection (and its AUTH / SELECT) is ready. */
  private connecting: Promise<net.Socket> | undefined;
  private readonly pending: Pending[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private retryAt = 0;
  private backoffMs = 0;
  private closed = false;

  constructor(options: RedisClientOptions) {
    this.target = parseRedisUrl(options.url);
    this.timeoutMs = options.commandTimeoutMs ?? 1000;
  }

  /** Where it connects, without credentials (for start-up messages). */
  get address(): string {
    return `${this.target.tls ? 'rediss' : 'redis'}://${this.target.host}:${this.target.port}${this.target.db !== undefined ? `/${this.target.db}` : ''}`;
  }

  /** Sends one command; rejects with RedisUnavailableError when Redis cannot answer in time. */
  async command(args: readonly (string | number)[]): Promise<RedisReply> {
    if (this.closed) throw new RedisUnavailableError('The Redis client is closed');
    // While a connection is being set up (AUTH, SELECT), commands wait for it rather than overtake it.
    const socket = this.connecting ? await this.connecting : (this.socket ?? (await this.connect()));
    return this.send(socket, args);
  }

  /** Closes the connection; commands after this fail. */
  async close(): Promise<void> {
    this.closed = true;
    const socket = this.socket;
    this.breakOff(new RedisUnavailableError('The Redis client is closed'));
    if (socket && !socket.destroyed) await new Promise<void>((resolve) => socket.end(resolve));
  }

  private send(socket: net.Socket, args: readonly (string | number)[]): Promise<RedisReply> {
    return new Promise<RedisReply>((resolve, reject) => {
      if (socket !== this.socket || socket.destroyed) {
        reject(new RedisUnavailableError('The connection to Redis was lost'));
        return;
      }
      const timer = setTimeout(() => {
        // The reply may still come, on a connection whose order is now unknown: break it off.
        this.breakOff(new RedisUnavailableError(`Redis did not answer within ${this.timeoutMs} ms`), socket);
      }, this.timeoutMs);
      timer.unref();
      this.pending.push({ resolve, reject, timer });
      socket.write(encodeCommand(args));
    });
  }

  private connect(): Promise<net.Socket> {
    if (this.connecting) return this.connecting;
    if (Date.now() < this.retryAt) return Promise.reject(new RedisUnavailableError('Redis is unreachable (retrying shortly)'));
    const { host, port } = this.target;
    const attempt = new Promise<net.Socket>((resolve, reject) => {
      const socket = this.target.tls ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host }) : net.connect({ host, port });
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 10_000);
      const timer = setTimeout(() => socket.destroy(new Error('connect timeout')), this.timeoutMs);
      timer.unref();
      const onError = (error: Error) => {
        clearTimeout(timer);
        reject(new RedisUnavailableError(`Redis is unreachable at ${this.address}: ${(error as NodeJS.ErrnoException).code ?? error.message}`));
      };
      socket.once('error', onError);
      socket.once(this.target.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        if (this.closed) {
          // close() was called while this connection was being made: it is not wanted any more.
          socket.destroy();
          reject(new RedisUnavailableError('The Redis client is closed'));
          return;
        }
        this.adopt(socket);
        resolve(socket);
      });
    })
      .then(async (socket) => {
        const { username, password, db } = this.target;
        if (password !== undefined) await this.send(socket, username ? ['AUTH', username, password] : ['AUTH', password]);
        if (db !== undefined) await this.send(socket, ['SELECT', db]);
        this.backoffMs = 0;
        return socket;
      })
      .catch((error: unknown) => {
        this.backoffMs = Math.min(this.backoffMs ? this.backoffMs * 2 : 100, 2000);
        this.retryAt = Date.now() + this.backoffMs;
        this.breakOff(error instanceof RedisUnavailableError ? error : new RedisUnavailableError(`Redis refused the connection: ${(error as Error).message}`));
        throw error instanceof RedisReplyError ? new RedisUnavailableError(`Redis refused the connection: ${error.message}`) : error;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    this.connecting = attempt;
    return attempt;
  }

  /** Takes a connected socket into use: replies are matched to commands in order. */
  private adopt(socket: net.Socket): void {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => this.receive(socket, chunk));
    socket.on('error', () => undefined); // 'close' follows and does the work
    socket.on('close', () => this.breakOff(new RedisUnavailableError('The connection to Redis was lost'), socket));
  }

  private receive(socket: net.Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.buffer.length > MAX_BUFFER) return this.breakOff(new RedisUnavailableError('Redis sent an oversized reply'), socket);
    let offset = 0;
    try {
      for (let parsed = parseReply(this.buffer, offset); parsed; parsed = parseReply(this.buffer, offset)) {
        offset = parsed.next;
        const waiting = this.pending.shift();
        if (!waiting) throw new Error('A reply nobody asked for');
        clearTimeout(waiting.timer);
        if (parsed.reply instanceof RedisReplyError) waiting.reject(parsed.reply);
        else waiting.resolve(parsed.reply);
      }
    } catch (error) {
      return this.breakOff(new RedisUnavailableError(`Redis sent something unexpected: ${(error as Error).message}`), socket);
    }
    this.buffer = offset === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(offset);
  }

  /** Drops the connection (only if it is still `socket`, when given) and fails every waiting command. */
  private breakOff(error: Error, socket?: net.Socket): void {
    if (socket && socket !== this.socket) {
      socket.destroy();
      return;
    }
    const current = this.socket;
    this.socket = undefined;
    this.buffer = Buffer.alloc(0);
    current?.destroy();
    for (const waiting of this.pending.splice(0)) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
  }
}
