/**
 * The reference token gateway as a service: study-scoped signed tokens in front of any DICOMweb PACS.
 *
 *   FILMLESS_UPSTREAM=http://127.0.0.1:8042/dicom-web \
 *   FILMLESS_TOKEN_PUBLIC_KEY_FILE=/etc/filmless/token-public.pem \
 *   FILMLESS_ALLOWED_ORIGINS=https://his.hospital.example \
 *   npx tsx gateway/main.ts
 *
 * It speaks plain HTTP on loopback (HOST, PORT; default 127.0.0.1:8090): put it behind a TLS reverse
 * proxy. Several instances share revocations and use counts through Redis (FILMLESS_REDIS_URL).
 * Configuration, Redis and scaling out: gateway/README.md; deployment and token issuing: docs/deployment.md.
 *
 *   GET /healthz                  200 "ok" (liveness: the process serves; no PACS or Redis call)
 *   GET /readyz                   200 "ready", or 503 when the token state (Redis) cannot be reached
 *   <FILMLESS_PREFIX>/…           DICOMweb, read-only, per token
 *   SIGHUP                        reloads the revocation list now (it is also reloaded when the file changes)
 *   SIGTERM, SIGINT               stop accepting, finish the audit log, exit
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, refuseConnect } from './gateway.js';
import { ConfigError, configureGateway, readGatewayConfig } from './config.js';

async function main(): Promise<void> {
  const config = await readGatewayConfig(process.env);
  const { options, revocations, state, publishRevocations, auditLog } = await configureGateway(config);
  const gateway = createGateway(options);

  const server = http.createServer((req, res) => {
    if (gateway(req, res)) return;
    if (req.url === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' }).end('ok');
      return;
    }
    if (req.url === '/readyz' && (req.method === 'GET' || req.method === 'HEAD')) {
      void state.ping().then((ready) => {
        res.writeHead(ready ? 200 : 503, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' }).end(ready ? 'ready' : 'token state unavailable');
      });
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
  });
  refuseConnect(server);
  // Slow or idle clients do not hold sockets for ever; a streamed series may take long, so only the
  // request head has a short deadline.
  server.headersTimeout = 15_000;
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;

  // With Redis, the file's ids are copied there at start and after every reload, so every gateway
  // refuses them; a copy that fails (Redis away) is tried again at each poll until it succeeds.
  let published = false;
  const publish = () =>
    publishRevocations().then(
      (count) => {
        if (!published && count > 0) console.error(`Revocation list copied to ${state.description}: ${count} token ids.`);
        published = true;
      },
      (error: unknown) => {
        published = false;
        console.error(`Revocation list not copied to ${state.description} (retrying): ${(error as Error).message}`);
      },
    );
  await publish();
  const retry = setInterval(() => {
    if (!published) void publish();
  }, config.revocationPollSeconds * 1000);
  retry.unref();
  const report = (error: unknown, count?: number) => {
    if (error) console.error(`Revocation list not reloaded, the previous one stays in force: ${(error as Error).message}`);
    else {
      console.error(`Revocation list reloaded: ${count} token ids.`);
      published = false;
      void publish();
    }
  };
  const stopWatching = revocations.watch(config.revocationPollSeconds * 1000, report);
  process.on('SIGHUP', () => {
    revocations.reload().then(
      (count) => report(undefined, count),
      (error: unknown) => report(error),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  // Messages go to stderr: stdout carries the audit log when no FILMLESS_AUDIT_LOG file is set.
  console.error(
    `Filmless gateway on http://${config.host}:${port}${config.prefix} → ${new URL(config.upstreamUrl).origin} ` +
      `(${config.keys.length} token key(s), ${config.allowedOrigins.length} allowed origin(s), ` +
      `${revocations.size} revoked token id(s), token state in ${state.description}, audit to ${config.auditLogPath ?? 'stdout'})`,
  );

  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    stopWatching();
    clearInterval(retry);
    server.close(() => {
      void Promise.all([auditLog?.close(), state.close()]).then(() => process.exit(0));
    });
    server.closeIdleConnections();
    // Streams still running after 10 s are cut.
    setTimeout(() => server.closeAllConnections(), 10_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `Filmless gateway: ${error.message}` : error);
  process.exit(1);
});
