// Listen addresses: `host:port`, `[v6]:port`, `:port` (all interfaces). Parsing and the loopback
// test that decides whether `auth.mode: none` (and demo mode) may bind there.
import { isIP } from 'node:net';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`; returns an error message instead of throwing. */
export function parseListen(text: string): ListenAddress | string {
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text);
  const plain = /^([^:[\]]*):(\d{1,5})$/.exec(text);
  const match = bracketed ?? plain;
  if (match === null)
    return `expected HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), got "${text.slice(0, 100)}"`;
  const host = match[1] ?? '';
  const port = Number(match[2]);
  if (port > 65535) return `port must be 0-65535, got ${port}`;
  if (bracketed !== null && isIP(host) !== 6) return `"${host.slice(0, 100)}" is not an IPv6 address`;
  if (host !== '' && isIP(host) === 0 && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?$/.test(host)) {
    return `"${host.slice(0, 100)}" is not a host name or IP address`;
  }
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host.toLowerCase().startsWith('::ffff:127.');
}

export function formatListen(address: ListenAddress): string {
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
