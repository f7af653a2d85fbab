/**
 * What `GET /metrics` shows, in Prometheus's text format: rounds by how they ended, the
 * retries and refusals that contention costs, fsyncs and how many inputs and keys each
 * covers (group commit at work), and the latency clients see. A registry of its own, so
 * that two services in one process (tests) do not share counters.
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export class ServeMetrics {
  readonly registry = new Registry();
  readonly rounds = new Counter({
    name: 'paxos_register_requests_total',
    help: 'Client operations answered, by operation and outcome (ok, mismatch, uncertain, expired)',
    labelNames: ['op', 'outcome'],
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'paxos_register_round_timers_total',
    help: 'Round timers that fired (a retry after no majority answered, or after a backoff from a refusal)',
    registers: [this.registry],
  });
  readonly fsyncs = new Counter({
    name: 'paxos_register_fsyncs_total',
    help: 'Batches made durable, each with one fsync',
    registers: [this.registry],
  });
  readonly batchInputs = new Histogram({
    name: 'paxos_register_batch_inputs',
    help: 'Inputs (messages, requests, timers) stepped per batch',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [this.registry],
  });
  readonly batchKeys = new Histogram({
    name: 'paxos_register_fsync_keys',
    help: 'Keys whose acceptor state one fsync made durable',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'paxos_register_request_seconds',
    help: 'Time from a client request to its answer',
    labelNames: ['op', 'outcome'],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
