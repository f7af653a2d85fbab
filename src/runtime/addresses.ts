/**
 * Where a peer is reached. Under Docker every peer listens on the same port and is found by
 * its hostname through the network's DNS. Outside containers (the local cluster, tests) an
 * override maps a hostname to an address and port, `HOST=ADDR:PORT`, so several peers can
 * share one machine without editing /etc/hosts.
 */

export interface Endpoint {
  host: string;
  port: number;
}

export type AddressOverrides = ReadonlyMap<string, Endpoint>;

/** Parses `HOST=ADDR:PORT` (ADDR may be a bracketed IPv6 address). */
export function parseAddressOverride(text: string): [string, Endpoint] {
  const m = /^([^=\s]+)=(\[[^\]]+\]|[^:\s]+):(\d+)$/.exec(text.trim());
  const port = Number(m?.[3]);
  if (!m?.[1] || !m[2] || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`expected HOST=ADDR:PORT, got '${text}'`);
  return [m[1], { host: m[2].replace(/^\[|\]$/g, ''), port }];
}

export const formatAddressOverride = (name: string, e: Endpoint): string =>
  `${name}=${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;

export class AddressBook {
  constructor(
    /** The port every peer listens on when no override says otherwise. */
    private readonly defaultPort: number,
    private readonly overrides: AddressOverrides = new Map(),
  ) {}

  /** Where to connect to reach `hostname`; the name is resolved at each connect attempt. */
  endpointOf(hostname: string): Endpoint {
    return this.overrides.get(hostname) ?? { host: hostname, port: this.defaultPort };
  }

  /** Where this peer listens: its override, or every interface on the default port. */
  listenOn(hostname: string): { host?: string; port: number } {
    const own = this.overrides.get(hostname);
    return own ? { host: own.host, port: own.port } : { port: this.defaultPort };
  }
}
