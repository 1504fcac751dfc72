/**
 * The consultation's messages and how they are read. Every message names its sender (`from`, an id each
 * participant makes up when it joins) and carries the sender's sequence number (`seq`, one counter per
 * sender, counting up from 1). A receiver keeps the highest number seen per sender and ignores anything
 * at or below it: duplicates and messages overtaken by newer ones change nothing.
 *
 * - `hello`: a participant joined (or lost track); a presenter answers with a full `state`.
 * - `state`: the presenter's whole view state.
 * - `patch`: the viewport fields that changed since the presenter's previous `state`/`patch`.
 * - `pointer`: the presenter's laser pointer (or `null`: hidden).
 * - `control-request`: a follower asks the presenter for control.
 * - `control-grant`: the presenter hands control to `to` (and follows from then on).
 *
 * Messages never carry a token, a patient's name or pixels: each participant loads the images with its
 * own credentials. Untrusted input is read into fresh objects (see view-state.ts).
 */
import type { FilmlessViewportState } from '../viewer/events.js';
import {
  type FilmlessSyncPointer,
  type FilmlessSyncState,
  type Parsed,
  InvalidInput,
  boundedArray,
  integer,
  parseViewState,
  parseWith,
  plainObject,
  readPointer,
  readViewportChanges,
} from './view-state.js';

/** What a participant does: shows the way, follows it, or neither (sends and receives nothing). */
export type FilmlessSyncRole = 'presenter' | 'follower' | 'free';
export const SYNC_ROLES: readonly FilmlessSyncRole[] = ['presenter', 'follower', 'free'];

/** The fields every message carries. */
export interface SyncEnvelope {
  /** The sender's participant id: 1–64 letters, digits, `-` or `_`. */
  from: string;
  /** The sender's sequence number (a positive integer, growing with every message it sends). */
  seq: number;
}

/** One viewport's changed fields, by its index in the grid. */
export interface SyncViewportPatch {
  index: number;
  changes: Partial<FilmlessViewportState>;
}

export type FilmlessSyncMessage =
  | (SyncEnvelope & { type: 'hello'; role: FilmlessSyncRole })
  | (SyncEnvelope & { type: 'state'; state: FilmlessSyncState })
  | (SyncEnvelope & { type: 'patch'; activeViewport?: number; viewports: SyncViewportPatch[] })
  | (SyncEnvelope & { type: 'pointer'; pointer: FilmlessSyncPointer | null })
  | (SyncEnvelope & { type: 'control-request' })
  | (SyncEnvelope & { type: 'control-grant'; to: string });

export type FilmlessSyncMessageType = FilmlessSyncMessage['type'];

/** Bytes a message may take as JSON (transports that carry text check this before parsing). */
export const MAX_MESSAGE_BYTES = 256 * 1024;

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function participantId(value: unknown, where: string): string {
  if (typeof value !== 'string' || !ID.test(value)) throw new InvalidInput(`${where} is not a participant id`);
  return value;
}

const FIELDS: Record<FilmlessSyncMessageType, readonly string[]> = {
  hello: ['role'],
  state: ['state'],
  patch: ['activeViewport', 'viewports'],
  pointer: ['pointer'],
  'control-request': [],
  'control-grant': ['to'],
};

/**
 * Reads an untrusted message (an object, or its JSON text) into a fresh, valid message, or says why it
 * is refused. Extra fields, unknown types, bad ids or numbers and invalid states are all refused.
 */
export function parseSyncMessage(input: unknown): Parsed<FilmlessSyncMessage> {
  return parseWith(() => {
    let value = input;
    if (typeof value === 'string') {
      if (value.length > MAX_MESSAGE_BYTES) throw new InvalidInput('message is too large');
      value = JSON.parse(value) as unknown;
    }
    const head = plainObject(value, 'message');
    const type = head['type'];
    if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(FIELDS, type)) throw new InvalidInput('message.type is unknown');
    const allowed = new Set(['type', 'from', 'seq', ...FIELDS[type as FilmlessSyncMessageType]]);
    const object = plainObject(value, 'message', allowed);
    const envelope = { from: participantId(object['from'], 'message.from'), seq: integer(object['seq'], 'message.seq', 1, Number.MAX_SAFE_INTEGER) };
    switch (type as FilmlessSyncMessageType) {
      case 'hello': {
        const role = object['role'];
        if (role !== 'presenter' && role !== 'follower' && role !== 'free') throw new InvalidInput('message.role is unknown');
        return { type: 'hello', ...envelope, role };
      }
      case 'state': {
        const state = parseViewState(object['state']);
        if (!state.ok) throw new InvalidInput(state.reason);
        return { type: 'state', ...envelope, state: state.value };
      }
      case 'patch': {
        const viewports = boundedArray(object['viewports'], 'message.viewports', 4).map((item, i) => {
          const entry = plainObject(item, `message.viewports[${i}]`, new Set(['index', 'changes']));
          return { index: integer(entry['index'], `message.viewports[${i}].index`, 0, 3), changes: readViewportChanges(entry['changes'], `message.viewports[${i}].changes`) };
        });
        if (new Set(viewports.map((v) => v.index)).size !== viewports.length) throw new InvalidInput('message.viewports repeats an index');
        const patch: FilmlessSyncMessage = { type: 'patch', ...envelope, viewports };
        if ('activeViewport' in object) patch.activeViewport = integer(object['activeViewport'], 'message.activeViewport', 0, 3);
        if (viewports.length === 0 && patch.activeViewport === undefined) throw new InvalidInput('message changes nothing');
        return patch;
      }
      case 'pointer':
        return { type: 'pointer', ...envelope, pointer: object['pointer'] === null ? null : readPointer(object['pointer'], 'message.pointer') };
      case 'control-request':
        return { type: 'control-request', ...envelope };
      case 'control-grant':
        return { type: 'control-grant', ...envelope, to: participantId(object['to'], 'message.to') };
    }
  });
}

/** A fresh random participant id. */
export function newParticipantId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('').slice(0, 20);
}

/**
 * Remembers the highest sequence number seen per sender and answers whether a message is new. Keeps at
 * most `capacity` senders (the longest silent is forgotten first).
 */
export class SequenceFilter {
  private readonly last = new Map<string, number>();

  constructor(private readonly capacity = 256) {}

  /** True once per (sender, higher seq): the message is new; false for duplicates and late arrivals. */
  accept(from: string, seq: number): boolean {
    const previous = this.last.get(from);
    if (previous !== undefined && seq <= previous) return false;
    this.last.delete(from);
    this.last.set(from, seq);
    if (this.last.size > this.capacity) this.last.delete(this.last.keys().next().value!);
    return true;
  }

  /** Forgets a sender (it left). */
  forget(from: string): void {
    this.last.delete(from);
  }
}
