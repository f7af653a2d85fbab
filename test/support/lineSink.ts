/** A bare TCP listener on loopback that records what arrives, line by line: a stand-in peer for tests. */
import net from 'node:net';

export interface LineSink {
  server: net.Server;
  port: number;
  /** Complete lines received so far, without their newline. */
  received: string[];
  sockets: Set<net.Socket>;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

export function lineSink(port = 0): Promise<LineSink> {
  const received: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    let buf = '';
    s.on('data', (d) => {
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      received.push(...parts);
    });
    s.on('close', () => sockets.delete(s));
  });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as net.AddressInfo).port, received, sockets, close }),
    ),
  );
}
