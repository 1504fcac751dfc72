/**
 * The demo's consultation relay with a real WebSocket server: room tokens (issued by the demo server,
 * never the DICOMweb token), rooms kept apart, message size and rate limits, and garbage dropping the
 * client that sent it.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { CONSULT_SOCKET_PATH, CONSULT_TOKEN_PATH, type ConsultRelay, createConsultRelay } from '../../demo/server/consult-relay.js';

const SESSION = 'session-token-of-the-demo-pages';

let server: http.Server;
let relay: ConsultRelay;
let base: string;
let clock = Date.now();

before(async () => {
  relay = createConsultRelay({
    ownOrigins: ['http://127.0.0.1'],
    verifySessionToken: (token) => (token === SESSION ? 'demo-session' : undefined),
    limits: { maxMessageBytes: 4096, burst: 20, perSecond: 10 },
    now: () => clock,
  });
  server = http.createServer((req, res) => {
    if (!relay.handle(req, res)) res.writeHead(404).end();
  });
  relay.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await relay.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Opens a participant's socket; resolves once open (or rejects with the refusal's status). */
function join(room: string, token = relay.issue(room).token): Promise<{ socket: WebSocket; received: unknown[]; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://${base}${CONSULT_SOCKET_PATH}?room=${encodeURIComponent(room)}&token=${encodeURIComponent(token)}`);
    const received: unknown[] = [];
    const closed = new Promise<number>((done) => socket.on('close', (code) => done(code)));
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
    socket.on('open', () => resolve({ socket, received, closed }));
    socket.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    socket.on('error', (error) => reject(error));
  });
}

const hello = (from: string, seq = 1) => JSON.stringify({ type: 'hello', from, seq, role: 'follower' });
const syncMessages = (received: unknown[]) => received.filter((m) => (m as { type: string }).type !== 'relay-participants');

async function until(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the consultation relay', () => {
  test('gives a room token only to a caller with the demo session, and the token is not the session token', async () => {
    const ask = (authorization?: string) =>
      fetch(`http://${base}${CONSULT_TOKEN_PATH}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(authorization ? { Authorization: authorization } : {}) }, body: JSON.stringify({ room: 'r1' }) });
    assert.equal((await ask()).status, 401);
    assert.equal((await ask('Bearer nope')).status, 401);
    const answer = await ask(`Bearer ${SESSION}`);
    assert.equal(answer.status, 200);
    const body = (await answer.json()) as { room: string; token: string };
    assert.equal(body.room, 'r1');
    assert.notEqual(body.token, SESSION);
    (await join('r1', body.token)).socket.close();
  });

  test('refuses a handshake without a valid token for that room (another room’s, expired, the session token)', async () => {
    await assert.rejects(join('r2', ''), /HTTP 401/);
    await assert.rejects(join('r2', relay.issue('r3').token), /HTTP 401/);
    await assert.rejects(join('r2', SESSION), /HTTP 401/);
    const old = relay.issue('r2').token;
    clock += 13 * 3600 * 1000;
    await assert.rejects(join('r2', old), /HTTP 401/);
    await assert.rejects(join('../etc', relay.issue('r2').token), /HTTP 401/);
  });

  test('relays valid messages to the others in the same room only, as they came, with the participant list', async () => {
    const a = await join('room-a');
    const b = await join('room-a');
    const c = await join('room-b');
    a.socket.send(hello('alice'));
    await until(() => syncMessages(b.received).length === 1, 'b hears alice');
    assert.deepEqual(syncMessages(b.received), [JSON.parse(hello('alice'))]);
    assert.deepEqual(syncMessages(a.received), [], 'not echoed to the sender');
    assert.deepEqual(syncMessages(c.received), [], 'not to another room');
    const lists = b.received.filter((m) => (m as { type: string }).type === 'relay-participants') as { participants: { id: string; role: string }[] }[];
    assert.deepEqual(lists.at(-1)?.participants, [{ id: 'alice', role: 'follower' }]);
    for (const p of [a, b, c]) p.socket.close();
  });

  test('drops a client that sends garbage, binary data, an invalid sync message or another participant’s id', async () => {
    for (const bad of ['not json', '{"type":"state","from":"x","seq":1,"state":{"v":2}}', '{"__proto__":{"x":1},"type":"hello"}', Buffer.from([1, 2, 3])]) {
      const p = await join('room-g');
      p.socket.send(bad);
      assert.equal(await p.closed, 1008, String(bad));
    }
    const p = await join('room-g');
    p.socket.send(hello('bob', 1));
    p.socket.send(hello('mallory', 2));
    assert.equal(await p.closed, 1008);
  });

  test('drops a client whose message is over the size limit', async () => {
    const p = await join('room-s');
    p.socket.send(JSON.stringify({ type: 'hello', from: 'big', seq: 1, role: 'follower', pad: 'x'.repeat(5000) }));
    assert.equal(await p.closed, 1009);
  });

  test('drops a client that goes over the rate limit, and keeps one within it', async () => {
    const calm = await join('room-r');
    const fast = await join('room-r');
    for (let seq = 1; seq <= 10; seq++) calm.socket.send(hello('calm', seq));
    for (let seq = 1; seq <= 60; seq++) fast.socket.send(hello('fast', seq));
    assert.equal(await fast.closed, 1008);
    assert.equal(calm.socket.readyState, WebSocket.OPEN);
    calm.socket.close();
  });
});
