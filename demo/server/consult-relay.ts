/**
 * The demo's consultation room: a WebSocket relay with rooms by id, carrying the viewers' sync messages
 * (src/collab/protocol.ts) between the participants of a room.
 *
 *   POST /demo/consult/token  {room}  with `Authorization: Bearer <session token>`, from the demo's own
 *                             pages → {room, token, expiresAt}: a room token (HMAC of the room and its
 *                             expiry, signed with a key made at start-up). It is not the DICOMweb token
 *                             and opens nothing but that room.
 *   GET  /demo/consult/ws?room=<id>&token=<room token>   (WebSocket upgrade)
 *
 * The relay refuses a handshake without a valid token for the room, from another origin, or to a full
 * room; it reads every message (text, at most MAX_MESSAGE_BYTES, JSON, a valid sync message by the same
 * strict parser the viewer uses) and drops the client that sends anything else, that changes its
 * participant id, or that goes over the rate limit. Valid messages go to the room's other participants
 * as they came. The relay adds its own messages, `{type: 'relay-participants', participants: [{id,
 * role}]}`, whenever someone joins, leaves or changes role; pages keep them from the viewer.
 *
 * Messages carry no token, patient name or pixels (the viewer never puts them there); each participant
 * loads the images through the gateway with its own DICOMweb token.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { MAX_MESSAGE_BYTES, parseSyncMessage } from '../../src/collab/protocol.js';
import { isSameOrigin } from './demo-session.js';

export const CONSULT_TOKEN_PATH = '/demo/consult/token';
export const CONSULT_SOCKET_PATH = '/demo/consult/ws';

/** Limits of one relay (all can be lowered for tests). */
export interface RelayLimits {
  /** Bytes of one message (the viewer's own limit by default). */
  maxMessageBytes: number;
  /** Messages a client may send in a burst, and per second after it (a pointer moves at 60 per second). */
  burst: number;
  perSecond: number;
  maxParticipants: number;
  maxRooms: number;
}

export const DEFAULT_LIMITS: RelayLimits = { maxMessageBytes: MAX_MESSAGE_BYTES, burst: 240, perSecond: 120, maxParticipants: 16, maxRooms: 200 };

export interface ConsultRelayOptions {
  ownOrigins: readonly string[];
  /** Whether a bearer token is the demo session's (only the demo pages may ask for a room token). */
  verifySessionToken: (candidate: string) => string | undefined;
  /** How long a room token works (seconds; default 12 h). */
  ttlSeconds?: number;
  limits?: Partial<RelayLimits>;
  /** The relay's clock (ms), for tests. */
  now?: () => number;
  log?: (line: string) => void;
}

export interface ConsultRelay {
  /** Answers `POST /demo/consult/token`; false for other paths. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Takes the WebSocket upgrades of `/demo/consult/ws` on this server. */
  attach(server: Server): void;
  /** Stops taking them (a stopped relay; see `DemoServer.restartConsultRelay`). */
  detach(server: Server): void;
  /** A room token (what the route hands out), for tests and tools. */
  issue(room: string): { token: string; expiresAt: string };
  close(): Promise<void>;
}

const ROOM = /^[A-Za-z0-9_-]{1,64}$/;
const WS_CLOSE = { policy: 1008, tooBig: 1009, full: 1013 } as const;

interface Participant {
  socket: WebSocket;
  room: string;
  id: string | undefined;
  role: string;
  tokens: number;
  refilledAt: number;
}

export function createConsultRelay(options: ConsultRelayOptions): ConsultRelay {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const ttl = options.ttlSeconds ?? 12 * 3600;
  const key = randomBytes(32);
  const log = options.log ?? (() => undefined);
  const rooms = new Map<string, Set<Participant>>();
  const sockets = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, perMessageDeflate: false });

  const sign = (room: string, expires: number) => createHmac('sha256', key).update(`${room}.${expires}`).digest('base64url');

  const issue = (room: string) => {
    const expires = Math.floor(now() / 1000) + ttl;
    return { token: `${expires}.${sign(room, expires)}`, expiresAt: new Date(expires * 1000).toISOString() };
  };

  const verify = (room: string, token: string): boolean => {
    const [expiresText, signature] = token.split('.');
    const expires = Number(expiresText);
    if (!signature || !Number.isSafeInteger(expires) || expires * 1000 <= now()) return false;
    const expected = Buffer.from(sign(room, expires));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  const participantsOf = (room: string) => [...(rooms.get(room) ?? [])].filter((p) => p.id).map((p) => ({ id: p.id!, role: p.role }));

  const announce = (room: string) => {
    const text = JSON.stringify({ type: 'relay-participants', participants: participantsOf(room) });
    for (const other of rooms.get(room) ?? []) if (other.socket.readyState === other.socket.OPEN) other.socket.send(text);
  };

  const drop = (participant: Participant, code: number, reason: string) => {
    log(`consult: dropped a participant of room ${participant.room}: ${reason}`);
    participant.socket.close(code, reason.slice(0, 100));
    participant.socket.terminate();
  };

  const receive = (participant: Participant, data: Buffer | ArrayBuffer | Buffer[], binary: boolean) => {
    const elapsed = (now() - participant.refilledAt) / 1000;
    participant.tokens = Math.min(limits.burst, participant.tokens + elapsed * limits.perSecond);
    participant.refilledAt = now();
    participant.tokens -= 1;
    if (participant.tokens < 0) return drop(participant, WS_CLOSE.policy, 'too many messages');
    if (binary) return drop(participant, WS_CLOSE.policy, 'binary message');
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    const parsed = parseSyncMessage(text);
    if (!parsed.ok) return drop(participant, WS_CLOSE.policy, `not a sync message (${parsed.reason})`);
    const message = parsed.value;
    if (participant.id === undefined) {
      if ([...(rooms.get(participant.room) ?? [])].some((p) => p !== participant && p.id === message.from)) return drop(participant, WS_CLOSE.policy, 'participant id in use');
      participant.id = message.from;
    } else if (participant.id !== message.from) return drop(participant, WS_CLOSE.policy, 'participant id changed');
    const role = message.type === 'hello' ? message.role : message.type === 'state' ? 'presenter' : message.type === 'control-grant' ? 'follower' : participant.role;
    const changed = role !== participant.role || message.type === 'hello';
    participant.role = role;
    for (const other of rooms.get(participant.room) ?? []) {
      if (other === participant || other.socket.readyState !== other.socket.OPEN) continue;
      if (message.type === 'control-grant' && other.id === message.to) other.role = 'presenter';
      other.socket.send(text);
    }
    if (changed || message.type === 'control-grant') announce(participant.room);
  };

  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    if (url.pathname !== CONSULT_SOCKET_PATH) return; // another upgrade (Vite's hot reload): not ours
    const room = url.searchParams.get('room') ?? '';
    const token = url.searchParams.get('token') ?? '';
    if (!isSameOrigin(req, options.ownOrigins)) return refuse(socket, 403, 'Forbidden');
    if (!ROOM.test(room) || !verify(room, token)) return refuse(socket, 401, 'Unauthorized');
    const members = rooms.get(room);
    if ((members?.size ?? 0) >= limits.maxParticipants || (!members && rooms.size >= limits.maxRooms)) return refuse(socket, 503, 'Service Unavailable');
    sockets.handleUpgrade(req, socket, head, (ws) => {
      const participant: Participant = { socket: ws, room, id: undefined, role: 'free', tokens: limits.burst, refilledAt: now() };
      const set = rooms.get(room) ?? new Set<Participant>();
      set.add(participant);
      rooms.set(room, set);
      let alive = true;
      ws.on('pong', () => (alive = true));
      const heartbeat = setInterval(() => {
        if (!alive) return ws.terminate();
        alive = false;
        ws.ping();
      }, 15_000);
      ws.on('message', (data, binary) => receive(participant, data, binary));
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        clearInterval(heartbeat);
        set.delete(participant);
        if (set.size === 0) rooms.delete(room);
        else announce(room);
      });
      announce(room);
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    if (url.pathname !== CONSULT_TOKEN_PATH) return false;
    const answer = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
    if (req.method !== 'POST') return answer(405, { error: 'POST only' }), true;
    if (!isSameOrigin(req, options.ownOrigins)) return answer(403, { error: 'Only the demo pages may ask for a room token' }), true;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !options.verifySessionToken(bearer)) return answer(401, { error: 'The demo session token is needed' }), true;
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 1024) req.destroy();
    });
    req.on('end', () => {
      let room: unknown;
      try {
        room = (JSON.parse(body) as { room?: unknown }).room;
      } catch {
        room = undefined;
      }
      if (typeof room !== 'string' || !ROOM.test(room)) return answer(400, { error: 'room: 1 to 64 letters, digits, - or _' });
      answer(200, { room, ...issue(room) });
    });
    return true;
  };

  return {
    handle,
    issue,
    attach: (server) => server.on('upgrade', upgrade),
    detach: (server) => server.off('upgrade', upgrade),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close(() => resolve());
      }),
  };
}
