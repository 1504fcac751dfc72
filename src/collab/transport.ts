/**
 * How consultation messages travel. A transport sends a message to every other participant and hands
 * each message it receives to its handlers, as it came (untrusted: the session parses it). The viewer
 * brings one for viewers in the same browser (`BroadcastChannel`); a host page brings its own for
 * anything else (a WebRTC data channel, a WebSocket) through the `syncTransport` property.
 */
import type { FilmlessSyncMessage } from './protocol.js';

/**
 * A host page's channel between participants. `send` delivers to every other participant (not back to
 * the sender); `onMessage` registers a handler for what arrives (an object or its JSON text) and returns
 * the function that unregisters it. Delivery should keep each sender's order; duplicates and late
 * messages are ignored anyway.
 */
export interface FilmlessSyncTransport {
  send(message: FilmlessSyncMessage): void;
  onMessage(handler: (message: unknown) => void): () => void;
}

/** The name prefix of the viewer's BroadcastChannels, so they never meet a page's own channels. */
export const CHANNEL_PREFIX = 'filmless-sync:';

/** A transport between viewers of the same origin in one browser (tabs, windows, frames). */
export class BroadcastChannelTransport implements FilmlessSyncTransport {
  private readonly channel: BroadcastChannel;
  private readonly handlers = new Set<(message: unknown) => void>();

  constructor(readonly name: string) {
    this.channel = new BroadcastChannel(CHANNEL_PREFIX + name);
    this.channel.onmessage = (event: MessageEvent) => {
      for (const handler of [...this.handlers]) handler(event.data);
    };
  }

  send(message: FilmlessSyncMessage): void {
    this.channel.postMessage(message);
  }

  onMessage(handler: (message: unknown) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  close(): void {
    this.handlers.clear();
    this.channel.close();
  }
}
