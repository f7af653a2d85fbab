/**
 * A peer's name lookups can be abandoned: getaddrinfo (dns.lookup) holds a process's exit
 * while it waits on a DNS that does not answer, which made peers under Compose take tens of
 * seconds to stop on Ctrl-C. These lookups read the hosts file, then ask the DNS through a
 * resolver that cancel() ends at once.
 */
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CancellableLookup, fromHostsFile } from '../../src/runtime/lookup';
import { netnsUnavailable } from '../e2e/support/netns';
import { ROOT } from '../e2e/support/paths';

let silent: dgram.Socket;
let server = '';
const dir = mkdtempSync(path.join(os.tmpdir(), 'paxos-lookup-'));
const hosts = path.join(dir, 'hosts');

beforeAll(async () => {
  // A DNS server that never answers, as the network's DNS did for a peer just stopped.
  silent = dgram.createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  server = `127.0.0.1:${silent.address().port}`;
  writeFileSync(hosts, '# the lab\n127.0.0.1 localhost\n10.0.0.5\tpeer2 Peer2.lab # a comment\n::1 peer6\n');
});
afterAll(() => {
  silent.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A DNS server that stays silent to the first question about a name and answers the later
 * ones with `address`: the network's DNS before and after the peer's container started.
 */
async function lateDns(address: string): Promise<{ server: string; close: () => void }> {
  const socket = dgram.createSocket('udp4');
  let asked = 0;
  socket.on('message', (query, from) => {
    asked += 1;
    if (asked > 1) socket.send(answerA(query, address), from.port, from.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { server: `127.0.0.1:${socket.address().port}`, close: () => socket.close() };
}

/** The reply to a one-question query: the question echoed, then one A record pointing at it. */
function answerA(query: Buffer, address: string): Buffer {
  const questionEnd = query.indexOf(0, 12) + 5; // the name's last label, then type and class
  const header = Buffer.from(query.subarray(0, 12));
  header.writeUInt16BE(0x8180, 2); // a response, recursion desired and available, no error
  header.writeUInt16BE(1, 6); // one answer
  header.writeUInt32BE(0, 8); // no authority, no additional records
  const record = Buffer.alloc(16);
  record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
  record.writeUInt16BE(1, 2); // type A
  record.writeUInt16BE(1, 4); // class IN
  record.writeUInt32BE(60, 6); // TTL
  record.writeUInt16BE(4, 10);
  Buffer.from(address.split('.').map(Number)).copy(record, 12);
  return Buffer.concat([header, query.subarray(12, questionEnd), record]);
}

/** The reply "no such name" to a one-question query: what a DNS that does not know the lab says. */
function noSuchName(query: Buffer): Buffer {
  const questionEnd = query.indexOf(0, 12) + 5;
  const header = Buffer.from(query.subarray(0, 12));
  header.writeUInt16BE(0x8183, 2); // a response, recursion desired and available, NXDOMAIN
  header.writeUInt16BE(0, 6);
  header.writeUInt32BE(0, 8);
  return Buffer.concat([header, query.subarray(12, questionEnd)]);
}

/** A DNS server on 127.0.0.1 answering each query with `reply(query)`, or nothing when it gives undefined. */
async function dnsServer(reply: (query: Buffer) => Buffer | undefined) {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (query, from) => {
    const answer = reply(query);
    if (answer) socket.send(answer, from.port, from.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { server: `127.0.0.1:${socket.address().port}`, close: () => socket.close() };
}

const SILENT_DNS =
  "require('node:dgram').createSocket('udp4').bind(53, '127.0.0.1', () => console.log('up'))";

const lookup = (names: CancellableLookup, host: string) =>
  new Promise<{ err: NodeJS.ErrnoException | null; addresses: unknown }>((resolve) =>
    names.lookup(host, { all: true }, (err, addresses) => resolve({ err, addresses })),
  );

describe('peer name lookups', () => {
  test('the hosts file first, in its own form: comments, several names, IPv6, any case', async () => {
    expect(fromHostsFile('PEER2', '10.0.0.5 peer2 # x\n')).toEqual([{ address: '10.0.0.5', family: 4 }]);
    const names = new CancellableLookup([server], hosts);
    expect((await lookup(names, 'peer2.lab')).addresses).toEqual([{ address: '10.0.0.5', family: 4 }]);
    expect((await lookup(names, 'peer6')).addresses).toEqual([{ address: '::1', family: 6 }]);
  });

  test('a name the DNS did not answer at first is asked again within a second, and found', async () => {
    const dns = await lateDns('10.0.0.7');
    try {
      const names = new CancellableLookup([dns.server], hosts);
      const t = Date.now();
      const { err, addresses } = await lookup(names, 'peer7');
      expect(err).toBeNull();
      expect(addresses).toEqual([{ address: '10.0.0.7', family: 4 }]);
      // Asked again after 2 s, as before, a lab peer's first prepare waited that long.
      expect(Date.now() - t).toBeLessThan(1000);
    } finally {
      dns.close();
    }
  });

  // Podman 4.3's containers list the network's DNS, then the host's. A name asked for before
  // its container existed went unanswered by the first; c-ares then preferred the second,
  // which does not know the lab, for seconds after the container was up: peer1 reached its
  // acceptors 14 s late and peer5 won testcase 2 with Y. Every lookup starts from the first.
  test('a name the first DNS did not know is asked of it again, not only of the next one', async () => {
    let exists = false;
    const network = await dnsServer((q) => (exists ? answerA(q, '10.0.0.8') : undefined));
    const host = await dnsServer(noSuchName);
    try {
      const names = new CancellableLookup([network.server, host.server], hosts);
      for (let i = 0; i < 3; i++) expect((await lookup(names, 'peer8')).err?.code).toBe('ENOTFOUND');
      exists = true;
      const t = Date.now();
      const { err, addresses } = await lookup(names, 'peer8');
      expect(err).toBeNull();
      expect(addresses).toEqual([{ address: '10.0.0.8', family: 4 }]);
      expect(Date.now() - t).toBeLessThan(1000);
    } finally {
      network.close();
      host.close();
    }
  });

  test('a lookup the DNS never answers ends at once when cancelled', async () => {
    const names = new CancellableLookup([server], hosts);
    const pending = lookup(names, 'peer9');
    await new Promise((r) => setTimeout(r, 100));
    const t = Date.now();
    names.cancel();
    const { err } = await pending;
    expect(err?.code).toBe('ECANCELLED');
    expect(Date.now() - t).toBeLessThan(1000);
  });

  // In a namespace of its own whose resolv.conf names a DNS server that never answers (as
  // root, as CI runs): getaddrinfo holds the exit, a cancelled lookup does not.
  test.runIf(netnsUnavailable() === undefined)(
    'getaddrinfo in flight holds a process exit for seconds; a cancelled lookup does not',
    async () => {
      const ns = `pxdns${process.pid}`;
      const etc = path.join('/etc/netns', ns);
      const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'ignore' });
      ip('netns', 'add', ns);
      try {
        mkdirSync(etc, { recursive: true });
        writeFileSync(path.join(etc, 'resolv.conf'), 'nameserver 127.0.0.1\n');
        ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
        const silentDns = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SILENT_DNS], {
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        await new Promise((r) => silentDns.stdout?.once('data', r));
        const exitTime = async (script: string) => {
          const t = Date.now();
          const child = spawn(
            'ip',
            ['netns', 'exec', ns, process.execPath, '--import', 'tsx', '--input-type=module', '-e', script],
            { cwd: ROOT, stdio: 'ignore' },
          );
          await new Promise((r) => child.once('exit', r));
          return Date.now() - t;
        };
        const plain = await exitTime(
          "import dns from 'node:dns'; dns.lookup('peer9', () => {}); setTimeout(() => process.exit(0), 300);",
        );
        const ours = await exitTime(
          `import { CancellableLookup } from ${JSON.stringify(path.join(ROOT, 'src/runtime/lookup.ts'))};
           const names = new CancellableLookup();
           names.lookup('peer9', { all: true }, () => {});
           setTimeout(() => { names.cancel(); process.exit(0); }, 300);`,
        );
        silentDns.kill('SIGKILL');
        expect(plain, 'the harness reproduces the wait').toBeGreaterThan(4000);
        expect(ours).toBeLessThan(plain - 3000);
      } finally {
        ip('netns', 'del', ns);
        rmSync(etc, { recursive: true, force: true });
      }
    },
    60_000,
  );

  test('a process with such a lookup in flight exits when it is cancelled', async () => {
    const script = `
      import { CancellableLookup } from ${JSON.stringify(path.join(ROOT, 'src/runtime/lookup.ts'))};
      const names = new CancellableLookup([${JSON.stringify(server)}], ${JSON.stringify(hosts)});
      names.lookup('peer9', { all: true }, () => {});
      setTimeout(() => { names.cancel(); process.exit(0); }, 200);`;
    const t = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(0);
    // Node's start and tsx take most of it; a getaddrinfo in flight would hold the exit 5 s or more.
    expect(Date.now() - t).toBeLessThan(4000);
  });
});
