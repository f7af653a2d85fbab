/**
 * One HTTP/1.1 client for both services, so that the load generator costs both the same:
 * keep-alive connections, JSON in and out, the status and the parsed body back.
 */
import http from 'node:http';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export function request(endpoint: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const [host, port] = endpoint.split(':');
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host,
        port: Number(port),
        method,
        path,
        agent,
        headers:
          payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export const closeConnections = (): void => agent.destroy();
