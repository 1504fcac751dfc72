/**
 * The origins under which browsers reach the demo server. They are listed up front rather than taken
 * from the request's Host header: a page on a hostile name that resolves to this machine (DNS
 * rebinding) would otherwise count as "our own" and could read the session token.
 */
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** `http://<name>:<port>` for every name the server answers to, given the host it was asked to bind. */
export function ownOrigins(boundHost: string, address: AddressInfo): string[] {
  const names = new Set(LOOPBACK_NAMES);
  if (WILDCARD_HOSTS.has(boundHost)) {
    // Bound to every interface: phones and other machines on the network use the LAN addresses.
    for (const entries of Object.values(networkInterfaces())) {
      for (const entry of entries ?? []) names.add(entry.family === 'IPv6' ? `[${entry.address}]` : entry.address);
    }
  } else {
    names.add(boundHost.includes(':') ? `[${boundHost}]` : boundHost);
  }
  return [...names].map((name) => `http://${name}:${address.port}`);
}

/** Reads a comma-separated list of origins (FILMLESS_ALLOWED_ORIGINS), ignoring blanks and trailing slashes. */
export function parseOriginList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter(Boolean);
}
