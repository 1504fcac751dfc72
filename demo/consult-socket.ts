/**
 * The consultation room's connection to the demo relay (demo/server/consult-relay.ts): a WebSocket that
 * reconnects by itself (0.5 s, then doubling up to 5 s), asking the demo server for a fresh room token
 * each time. Every connection hands the viewer a new `syncTransport`, so the viewer announces itself
 * again (a follower says hello and gets the presenter's full state; a presenter sends it): after a relay
 * restart both sides are in step again without the page doing anything else.
 */
import type { FilmlessSyncTransport } from '../src/index.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

export interface RelayParticipant {
  id: string;
  role: string;
}

export interface RelayConnectionOptions {
  /** The WebSocket address to open now (with a fresh room token). */
  address: () => Promise<string>;
  state: (state: ConnectionState) => void;
  participants: (participants: RelayParticipant[]) => void;
  /** A new transport for the viewer (after each (re)connection). */
  transport: (transport: FilmlessSyncTransport) => void;
  /** The id this page's viewer sends as (seen in its first message). */
  self?: (id: string) => void;
}

export class RelayConnection {
  private socket: WebSocket | undefined;
  private delay = 500;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: RelayConnectionOptions) {
    void this.open();
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close();
  }

  private async open(): Promise<void> {
    this.options.state(this.socket ? 'reconnecting' : 'connecting');
    let address: string;
    try {
      address = await this.options.address();
    } catch {
      this.retry();
      return;
    }
    const socket = new WebSocket(address);
    this.socket = socket;
    const handlers = new Set<(message: unknown) => void>();
    socket.addEventListener('open', () => {
      this.delay = 500;
      this.options.state('open');
      this.options.transport({
        send: (message) => {
          if (socket.readyState !== WebSocket.OPEN) return;
          this.options.self?.(message.from);
          socket.send(JSON.stringify(message));
        },
        onMessage: (handler) => {
          handlers.add(handler);
          return () => handlers.delete(handler);
        },
      });
    });
    socket.addEventListener('message', (event: MessageEvent) => {
      if (typeof event.data !== 'string') return;
      // The relay's own messages (the participant list) are for the page; everything else for the viewer.
      if (event.data.startsWith('{"type":"relay-participants"')) {
        try {
          const { participants } = JSON.parse(event.data) as { participants: RelayParticipant[] };
          this.options.participants(participants);
        } catch {
          // not for us
        }
        return;
      }
      for (const handler of handlers) handler(event.data);
    });
    socket.addEventListener('close', () => {
      handlers.clear();
      if (this.socket === socket) this.retry();
    });
  }

  private retry(): void {
    if (this.stopped) return;
    this.options.state('reconnecting');
    this.timer = setTimeout(() => void this.open(), this.delay);
    this.delay = Math.min(5000, this.delay * 2);
  }
}
