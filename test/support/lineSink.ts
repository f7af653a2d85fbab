/** A bare TCP listener on loopback that records what arrives, line by line: a stand-in peer for tests. */
import net from 'node:net';

export interface LineSink {
  server: net.Server;
  port: number;
  /** Complete lines received so far, without their newline (a peer's hello frames apart). */
  received: string[];
  /** Hello frames (src/runtime/frames.ts): the transport's, never a protocol message. */
  hellos: string[];
  sockets: Set<net.Socket>;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

const HELLO = /^\{"hello":\d+[,}]/;

export function lineSink(port = 0): Promise<LineSink> {
  const received: string[] = [];
  const hellos: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    let buf = '';
    s.on('data', (d) => {
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const line of parts) (HELLO.test(line) ? hellos : received).push(line);
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
      resolve({
        server,
        port: (server.address() as net.AddressInfo).port,
        received,
        hellos,
        sockets,
        close,
      }),
    ),
  );
}
