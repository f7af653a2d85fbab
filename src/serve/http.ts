/**
 * The client API (interface.md, "The register service's outside contract"): registers at
 * `/v1/registers/{key}`, health, metrics. Bodies are parsed here, not by fastify, so that
 * every malformed request gets the contract's answer: 413 for a value or body too large,
 * 400 for anything else, both `{"error": ...}`, and nothing runs.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Operation, RegisterState } from '../../machines/register';
import { keyProblem, MAX_VALUE_BYTES } from './frames';
import type { Answer } from './host';
import type { ServeMetrics } from './metrics';

export interface Health {
  name: string;
  id: number;
  roles: string;
  majority: boolean;
}

export interface Service {
  invoke(key: string, operation: Operation): Promise<Answer>;
  health(): Health;
  metrics: ServeMetrics;
}

const PREFIX = '/v1/registers/';
/** A 64 KiB value may take six times that as JSON escapes; larger bodies are refused unread. */
const BODY_LIMIT = 6 * MAX_VALUE_BYTES + 1024;

class Refused extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

const refuse = (status: 400 | 413, message: string): never => {
  throw new Refused(status, message);
};

/** The key of `/v1/registers/{key}`, from the raw URL so that its encoding is ours to check. */
function keyOf(url: string): string {
  const raw = url.slice(PREFIX.length).split('?')[0] ?? '';
  let key = '';
  try {
    key = decodeURIComponent(raw);
  } catch {
    refuse(400, 'the key is not valid URL-encoded UTF-8');
  }
  const problem = keyProblem(key);
  if (problem) refuse(400, problem);
  return key;
}

const isVersion = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** `?ifVersion=N` where `allowed` (a DELETE), and no other query parameter. */
function ifVersionOfQuery(query: unknown, allowed: boolean): number | undefined {
  const q = (query ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(q).find((k) => !allowed || k !== 'ifVersion');
  if (unknown !== undefined) refuse(400, `unknown query parameter '${unknown}'`);
  if (q.ifVersion === undefined) return undefined;
  const n = typeof q.ifVersion === 'string' && /^\d{1,15}$/.test(q.ifVersion) ? Number(q.ifVersion) : -1;
  if (!isVersion(n)) refuse(400, 'ifVersion must be an integer >= 0');
  return n;
}

function putOf(body: unknown): Operation {
  if (!Buffer.isBuffer(body) || body.length === 0) return refuse(400, 'a body {"value": ...} is required');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    refuse(400, 'the body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return refuse(400, 'the body must be a JSON object');
  const { value, ifVersion, ...others } = parsed as Record<string, unknown>;
  const unknown = Object.keys(others)[0];
  if (unknown !== undefined) refuse(400, `unknown field '${unknown}'`);
  if (typeof value !== 'string') return refuse(400, 'value must be a string');
  if (Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES)
    refuse(413, `value larger than ${MAX_VALUE_BYTES} bytes of UTF-8`);
  if (ifVersion === undefined) return { kind: 'put', value };
  if (!isVersion(ifVersion)) return refuse(400, 'ifVersion must be an integer >= 0');
  return { kind: 'put', value, ifVersion };
}

const stateBody = (key: string, state: RegisterState) => ({
  key,
  value: state.value,
  version: state.version,
});

function send(reply: FastifyReply, key: string, op: Operation, answer: Answer, timeoutMs: number) {
  if (answer.outcome === 'unavailable') {
    const error = answer.indeterminate
      ? 'no majority confirmed the operation in time: it may or may not take effect (a later read tells)'
      : `no majority answered within ${timeoutMs} ms: the operation did not take effect`;
    return reply.code(503).send({ error, indeterminate: answer.indeterminate });
  }
  const absent = op.kind === 'get' && answer.state.value === null;
  const code = answer.outcome === 'mismatch' ? 409 : absent ? 404 : 200;
  return reply.code(code).send(stateBody(key, answer.state));
}

function registerRoutes(app: FastifyInstance, service: Service, timeoutMs: number) {
  const run = async (request: FastifyRequest, reply: FastifyReply, operationOf: () => Operation) => {
    const key = keyOf(request.url);
    const op = operationOf();
    return send(reply, key, op, await service.invoke(key, op), timeoutMs);
  };
  app.get(`${PREFIX}*`, (req, reply) =>
    run(req, reply, () => {
      ifVersionOfQuery(req.query, false);
      return { kind: 'get' };
    }),
  );
  app.put(`${PREFIX}*`, (req, reply) =>
    run(req, reply, () => {
      ifVersionOfQuery(req.query, false);
      return putOf(req.body);
    }),
  );
  app.delete(`${PREFIX}*`, (req, reply) =>
    run(req, reply, () => {
      const ifVersion = ifVersionOfQuery(req.query, true);
      return ifVersion === undefined ? { kind: 'delete' } : { kind: 'delete', ifVersion };
    }),
  );
}

function handleErrors(app: FastifyInstance) {
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    if (err instanceof Refused) return reply.code(err.status).send({ error: err.message });
    if (err.statusCode === 413)
      return reply.code(413).send({ error: `body larger than ${BODY_LIMIT} bytes` });
    if (err.statusCode !== undefined && err.statusCode < 500)
      return reply.code(400).send({ error: err.message });
    reply.log.error(err);
    return reply.code(500).send({ error: 'internal error' });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: `no route ${req.method} ${req.url}` }),
  );
}

/** The service's HTTP app; `timeoutMs` only words the 503s. */
export function buildApp(service: Service, timeoutMs: number): FastifyInstance {
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    logger: false,
    // A URL fastify cannot decode is malformed like any other request: 400 with `error` only.
    frameworkErrors: (err, _req, reply) => {
      void (reply as FastifyReply).code(400).send({ error: err.message });
    },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  handleErrors(app);
  registerRoutes(app, service, timeoutMs);
  app.get('/v1/health', async () => service.health());
  app.get('/metrics', async (_req, reply) =>
    reply.type(service.metrics.registry.contentType).send(await service.metrics.registry.metrics()),
  );
  return app;
}
