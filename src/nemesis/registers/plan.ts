/**
 * A register run's faults: the lab's plan for the same seed, and in some runs every peer
 * killed at the same instant. The service promises that an acknowledged write survives a
 * crash of all peers at once (interface.md); the lab's plan never takes them all down, since
 * a lab peer must also keep its printed lines apart from what it saved.
 */
import type { ClusterConfig } from '../../config/cluster';
import { takesPart } from '../../config/cluster';
import { mulberry32 } from '../../sim/prng';
import { mixSeed, type PlanOptions, planRun, type RunPlan } from '../plan';

/** A separate generator, so that the lab's part of the plan stays the lab's for the same seed. */
const CRASH_ALL_STREAM = 0x7265_6773;

export function planRegistersRun(cluster: ClusterConfig, seed: number, options: PlanOptions): RunPlan {
  const plan = planRun(cluster, seed, options);
  const r = mulberry32(mixSeed(seed, CRASH_ALL_STREAM));
  if (r.next() >= 0.4) return plan;
  const phase = options.faultPhaseMs;
  const at = Math.round(phase * (0.3 + 0.4 * r.next()));
  const downMs = 100 + r.below(400);
  const all = cluster.peers
    .filter(takesPart)
    .map((p) => ({ kind: 'kill' as const, at, peer: p.host, downMs }));
  const faults = [...plan.faults, ...all].sort((a, b) => a.at - b.at);
  return { ...plan, harsh: true, faults };
}
