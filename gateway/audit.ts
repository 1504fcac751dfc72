/**
 * The gateway's audit log: one JSON line per request (allowed or refused), written when its answer
 * is complete. It records who (token id, purpose, subject), what (method, path, which studies), how it
 * ended (status, allow/deny, reason) — never the token, and of the query string only the parameter
 * NAMES, since values such as a patient ID or an accession number identify a patient. Study, series
 * and instance UIDs in paths are kept: they are what an audit of image access is about.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';

export interface AuditRecord {
  time: string;
  event: 'dicomweb-access';
  result: 'allow' | 'deny';
  /** `ok` for answered requests; otherwise why (e.g. `expired`, `study-not-allowed`, `dot-segment`). */
  reason: string;
  status: number;
  method: string;
  /** The path as the client sent it, without the query string. */
  path: string;
  /** Names of the query parameters (values are left out). */
  params: string[];
  /** Token id (`jti`), or the identity the simple `verifyToken` mode returned. */
  jti?: string;
  purpose?: string;
  /** Opaque user id from the token's `sub`. */
  sub?: string;
  /** StudyInstanceUIDs the request touched: the study in the path, the studies a search returned, or asked for. */
  studies: string[];
  origin?: string;
  /** The client's address (the reverse proxy's, unless the gateway trusts its X-Forwarded-For). */
  client?: string;
  durationMs: number;
}

export type AuditSink = (record: AuditRecord) => void;

export function formatAuditLine(record: AuditRecord): string {
  return `${JSON.stringify(record)}\n`;
}

export interface AuditLog {
  write: AuditSink;
  /** Flushes and closes a file sink (stdout is left open). */
  close: () => Promise<void>;
}

/**
 * Writes audit lines to a file (appended, created with mode 0640) or, without a path, to stdout, where
 * a service manager (systemd's journal, a container runtime) collects them.
 */
export function createAuditLog(path?: string): AuditLog {
  if (!path) {
    return { write: (record) => void process.stdout.write(formatAuditLine(record)), close: async () => undefined };
  }
  const stream: WriteStream = createWriteStream(path, { flags: 'a', mode: 0o640 });
  stream.on('error', (error) => console.error(`Audit log ${path}: ${error.message}`));
  return {
    write: (record) => void stream.write(formatAuditLine(record)),
    close: async () => {
      stream.end();
      if (!stream.closed) await once(stream, 'close');
    },
  };
}
