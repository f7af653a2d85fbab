/**
 * Name lookups a peer can abandon. `dns.lookup` runs getaddrinfo on libuv's thread pool, and
 * a process does not exit while one is in flight: under Compose, Ctrl-C found peers waiting
 * tens of seconds for lookups of a peer that had just stopped (the network's DNS passed the
 * name upstream, where nothing answered; glibc waits 5 s a try). So a peer looks names up
 * itself, as getaddrinfo would (the hosts file, then the DNS), through a resolver that
 * `cancel()` ends at once.
 */
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import net, { type LookupFunction } from 'node:net';

type Address = { address: string; family: number };

/** The addresses the hosts file gives `name` (read at each lookup: it is small, and may change). */
export function fromHostsFile(name: string, text: string): Address[] {
  const found: Address[] = [];
  for (const raw of text.split('\n')) {
    const [address, ...names] = (raw.split('#')[0] ?? '').trim().split(/\s+/);
    const family = net.isIP(address ?? '');
    if (family !== 0 && names.some((n) => n.toLowerCase() === name.toLowerCase()))
      found.push({ address: address as string, family });
  }
  return found;
}

/**
 * A name asked for before its peer existed gets no answer from a network DNS that passes it
 * upstream where nothing answers; once the peer is up, the same question is answered at once.
 * So ask again soon rather than wait 2 s for a first answer (with these settings Node 20's
 * c-ares asks again at about 0.5, 1 and 1.75 s, and gives up at 3.25 s). Under Compose,
 * peer1's lookups of acceptors that started just after it held its prepare back for seconds,
 * long enough for peer5 to win testcase 2 with Y.
 */
const ASK_AGAIN_MS = 250;
const TRIES = 4;

export class CancellableLookup {
  /** Resolvers with a lookup in flight: cancel() ends them. */
  private readonly inFlight = new Set<dns.Resolver>();

  constructor(
    private readonly servers?: readonly string[],
    private readonly hostsFile = '/etc/hosts',
  ) {}

  /** For `net.connect({ lookup })`: answers in the form `options.all` asks for. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const answer = (err: NodeJS.ErrnoException | null, found: Address[]) => {
      const first = found[0];
      if (err || !first) callback(err ?? notFound(hostname), '', 4);
      else if (options.all) (callback as unknown as (e: null, a: Address[]) => void)(null, found);
      else callback(null, first.address, first.family);
    };
    // The hosts file first, then the DNS: glibc's order for getaddrinfo ("files dns").
    const listed = this.hosts(hostname);
    if (listed.length > 0) return answer(null, listed);
    const resolver = this.resolver();
    this.inFlight.add(resolver);
    resolver.resolve4(hostname, (err, v4) => {
      this.inFlight.delete(resolver);
      answer(err, err ? [] : v4.map((address) => ({ address, family: 4 })));
    });
  };

  /**
   * A resolver of its own for each lookup, as getaddrinfo asks the servers in their order
   * every time. One kept across lookups remembers which server failed and prefers the next
   * for seconds: the network's DNS, silent about a peer not yet started, was then skipped
   * for the host's, which never knows the peers (Podman 4.3 lists both).
   */
  private resolver(): dns.Resolver {
    const resolver = new dns.Resolver({ timeout: ASK_AGAIN_MS, tries: TRIES });
    if (this.servers) resolver.setServers(this.servers);
    return resolver;
  }

  /** Ends every lookup in flight (ECANCELLED): nothing holds the process's exit. */
  cancel(): void {
    for (const resolver of this.inFlight) resolver.cancel();
  }

  private hosts(name: string): Address[] {
    try {
      return fromHostsFile(name, readFileSync(this.hostsFile, 'utf8'));
    } catch {
      return [];
    }
  }
}

function notFound(hostname: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  err.code = 'ENOTFOUND';
  return err;
}
