/**
 * The lab's Docker Compose runs without Docker: each compose service becomes a Linux network
 * namespace with the service's hostname, on one private bridge, all peers on port 8080,
 * names resolved through the namespace's /etc/hosts, each "container" in a fresh copy of the
 * image's working directory (what the Dockerfile's final stage copies), running exactly the
 * image's ENTRYPOINT followed by the service's `command:`. Needs root; CI runs as root.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadHostsfile } from '../../src/config/hostsfile';
import { type ComposeService, readComposeFile, readDockerfile } from './support/compose';
import { judgeRun, judgeTestcase2Takeover, type LogLine, parseLogLine } from './support/logLines';
import { leftoverNamespaces, NetnsLab, netnsUnavailable } from './support/netns';
import { ROOT, repoFile, requireBuiltCli } from './support/paths';
import { expectTracePasses } from './support/validate';

const unavailable = netnsUnavailable();
if (unavailable) console.warn(`SKIPPING the Docker Compose stand-in (network namespaces): ${unavailable}`);

const labs: NetnsLab[] = [];
afterAll(async () => {
  for (const lab of labs.splice(0)) await lab.destroy();
});
beforeAll(requireBuiltCli);

/** A fresh copy of the image's working directory, made by following the final stage's COPY lines. */
function containerFilesystem(root: string): string {
  const image = readDockerfile(repoFile('Dockerfile'));
  const app = mkdtempSync(path.join(root, 'app-'));
  for (const copy of image.copies) {
    // The build stage ran `npm run build` in its WORKDIR (/app): its /app is this checkout after the build.
    const from = copy.fromStage
      ? path.join(ROOT, path.relative('/app', copy.source))
      : path.join(ROOT, copy.source);
    const pattern = new RegExp(`^${path.basename(from).replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
    for (const name of readdirSync(path.dirname(from)).filter((n) => pattern.test(n))) {
      const target = copy.target.endsWith('/')
        ? path.join(app, copy.target, name)
        : path.join(app, copy.target);
      cpSync(path.join(path.dirname(from), name), target, { recursive: true });
    }
  }
  return app;
}

describe.skipIf(unavailable !== undefined)('docker compose, stood in for by network namespaces', () => {
  test.each(['1', '2'])('docker-compose-testcase-%s.yml decides as the lab expects', async (testcase) => {
    const compose = readComposeFile(repoFile(`docker-compose-testcase-${testcase}.yml`));
    const image = readDockerfile(repoFile('Dockerfile'));
    expect(compose.networks, 'one user-defined network').toHaveLength(1);
    for (const s of compose.services) {
      expect(s).toMatchObject({
        image: 'prj4',
        containerName: s.name,
        hostname: s.name,
        networks: compose.networks,
      });
    }
    expect(image.entrypoint).toEqual(['node', 'dist/cli.js', 'peer']);

    const hosts = compose.services.map((s) => s.hostname as string);
    const root = mkdtempSync(path.join(os.tmpdir(), 'paxos-netns-'));
    const lab = NetnsLab.create(hosts);
    labs.push(lab);
    try {
      // Only the private subnet (and IPv6 link-local) is reachable: no default route, nothing leaves.
      for (const host of hosts) {
        const routes = lab.routes(host);
        expect(
          routes.some((r) => r.startsWith('10.77.0.0/24 dev eth0')),
          `${host} routes: ${routes}`,
        ).toBe(true);
        for (const r of routes)
          expect(r, `${host} route`).toMatch(/^(10\.77\.0\.0\/24|fe80::\/64) dev eth0 /);
      }
      const run = (s: ComposeService) => {
        const [program, ...args] = image.entrypoint as [string, ...string[]];
        return lab.run(
          s.hostname as string,
          program === 'node' ? process.execPath : program,
          [...args, ...s.command],
          containerFilesystem(root),
          // As a Compose file's `environment:` would: the command stays the lab's.
          { PAXOS_TRACE: path.join(root, `${s.hostname}.ndjson`) },
        );
      };
      const peers = new Map(compose.services.map((s) => [s.hostname as string, run(s)]));
      const lines = (host: string): LogLine[] =>
        (peers.get(host)?.stdout ?? []).map((l, i) => parseLogLine(l, `${host} stdout line ${i + 1}`));
      for (const [host, peer] of peers)
        await peer.waitFor(
          () => peer.stdout.some((l) => l.includes('"action":"chose"')),
          30_000,
          `${host} chose`,
        );
      // Late messages (the last acks and announcements) are still judged.
      await new Promise((r) => setTimeout(r, 300));

      // The hostsfile a peer read is the one its command names, inside its container.
      const hostsfile = compose.services[0]?.command[compose.services[0].command.indexOf('-h') + 1] as string;
      const ids = new Map(loadHostsfile(repoFile(hostsfile)).peers.map((p) => [p.host, p.id]));
      const byHost = new Map(hosts.map((h) => [h, lines(h)]));
      expect(judgeRun(byHost, ids, hosts)).toBe('X');
      if (testcase === '2') judgeTestcase2Takeover(byHost);
      expectTracePasses({
        cluster: repoFile(hostsfile),
        stdout: new Map(hosts.map((h) => [h, peers.get(h)?.stdout ?? []])),
        expectDecided: true,
        label: `compose testcase ${testcase}`,
        traces: hosts.map((h) => path.join(root, `${h}.ndjson`)),
      });
      for (const [host, peer] of peers)
        expect(peer.running, `${host} keeps running after the decision`).toBe(true);
    } finally {
      await lab.destroy();
      labs.splice(labs.indexOf(lab), 1);
      rmSync(root, { recursive: true, force: true });
    }
    expect(leftoverNamespaces(lab)).toEqual([]);
  });
});
