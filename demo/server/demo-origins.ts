/**
 * The origins under which browsers reach the demo server. They are listed up front rather than taken
 * from the request's Host header: a page on a hostile name that resolves to this machine (DNS
 * rebinding) would otherwise count as "our own" and could read the session token.
 */
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/**
 * `http://<name>:<port>` for every name the server answers to, given the host it was asked to bind;
 * the first is the one to print (`localhost` whenever the loopback interface is bound).
 */
export function ownOrigins(boundHost: string, address: AddressInfo): string[] {
  const names = new Set<string>();
  if (WILDCARD_HOSTS.has(boundHost) || LOOPBACK_HOSTS.has(boundHost)) LOOPBACK_NAMES.forEach((name) => names.add(name));
  if (WILDCARD_HOSTS.has(boundHost)) {
    // Bound to every interface: phones and other machines on the network use the LAN addresses.
    for (const entries of Object.values(networkInterfaces())) {
      for (const entry of entries ?? []) {
        if (!entry.internal) names.add(entry.family === 'IPv6' ? `[${entry.address}]` : entry.address);
      }
    }
  } else if (!LOOPBACK_HOSTS.has(boundHost)) {
    names.add(boundHost.includes(':') ? `[${boundHost}]` : boundHost);
  }
  return [...names].map((name) => `http://${name}:${address.port}`);
}

/** Whether the origin names this machine's loopback interface. */
export function isLoopbackOrigin(origin: string): boolean {
  return LOOPBACK_NAMES.some((name) => origin.startsWith(`http://${name}:`));
}

/** Reads a comma-separated list of origins (FILMLESS_ALLOWED_ORIGINS), ignoring blanks and trailing slashes. */
export function parseOriginList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}
