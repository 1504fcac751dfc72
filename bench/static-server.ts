/**
 * The pages' origin: a loopback static server for the built bench pages and Filmless' dist/, with gzip
 * for text and WASM (as any CDN or web server would), so bytes on the wire are gzip bytes.
 */
import { createServer, type Server } from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

/** One answered request: what went over the wire (body bytes, gzip where gzipped), with epoch times in ms. */
export interface ServedFile {
  path: string;
  bytes: number;
  start: number;
  end: number;
}

export interface StaticServer {
  origin: string;
  /** Every answered request since the last `served.length = 0`. */
  served: ServedFile[];
  close: () => Promise<void>;
}

const compressible = (file: string) => (TYPES[path.extname(file)] ?? 'application/octet-stream') !== 'application/octet-stream';

async function filesUnder(folder: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(full)));
    else files.push(full);
  }
  return files;
}

/**
 * `mounts` maps URL prefixes ('/', '/dist/') to folders; the longest matching prefix wins. Everything is
 * gzipped up front, so no measured request waits for compression.
 */
export async function startStaticServer(mounts: Record<string, string>): Promise<StaticServer> {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const gzipped = new Map<string, Buffer>();
  for (const folder of Object.values(mounts)) {
    for (const file of await filesUnder(folder)) {
      if (compressible(file) && !file.endsWith('.map')) gzipped.set(file, gzipSync(await readFile(file), { level: 9 }));
    }
  }
  const served: ServedFile[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const start = Date.now();
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://bench.invalid').pathname);
      const prefix = prefixes.find((p) => pathname.startsWith(p));
      const root = prefix === undefined ? undefined : mounts[prefix];
      const relative = prefix === undefined ? '' : path.normalize(pathname.slice(prefix.length)).replace(/^(\.\.[/\\])+/, '');
      if (!root || relative.startsWith('..')) return void res.writeHead(404).end();
      const file = path.join(root, relative || 'index.html');
      let body: Buffer;
      try {
        body = await readFile(file);
      } catch {
        return void res.writeHead(404).end();
      }
      const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
      // Cacheable, as a CDN serves it: each sample's fresh profile starts cold, repeats within a page hit the cache.
      const headers: Record<string, string> = { 'Content-Type': type, 'Cache-Control': 'public, max-age=3600' };
      if (/gzip/.test(String(req.headers['accept-encoding'] ?? '')) && compressible(file)) {
        let packed = gzipped.get(file);
        if (!packed) {
          packed = gzipSync(body, { level: 9 });
          gzipped.set(file, packed);
        }
        body = packed;
        headers['Content-Encoding'] = 'gzip';
      }
      headers['Content-Length'] = String(body.length);
      res.writeHead(200, headers);
      const bytes = body.length;
      res.end(req.method === 'HEAD' ? undefined : body, () => served.push({ path: pathname, bytes, start, end: Date.now() }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
