/**
 * A run as a picture sees it: peers, events on their lifelines, messages between events,
 * the moments a value became chosen, and the violation if there is one. Every input form
 * (simulator steps, a checker counterexample, a real run's lines) is turned into this one
 * shape, so layout and renderers know nothing about where a run came from.
 *
 * Rows are the picture's time axis: one row per step of the run (a simulator or checker
 * step, or one placed line of a real run). Events of one row happen at the same moment.
 */
import type { PeerId } from '../../machines/messages';
import type { ClusterConfig } from '../config/cluster';

export type RunKind = 'simulation' | 'counterexample' | 'real run';

export interface ViewPeer {
  id: PeerId;
  host: string;
  /** `proposer1`, `acceptor1`, `learner2`, ... as the hostsfile names them. */
  roles: string[];
}

/** `boot` and `crash` are a real process starting and dying; `restart` is a later boot (or the simulator's crash-and-restart in one step). */
type EventKind = 'start' | 'timeout' | 'receive' | 'send' | 'chose' | 'restart' | 'boot' | 'crash';

/** An acceptor's stable state: slide 45's three variables. */
export interface AcceptorState {
  minProposal: number;
  acceptedProposal: number;
  acceptedValue: string | null;
}

export interface ViewEvent {
  id: number;
  peer: PeerId;
  row: number;
  kind: EventKind;
  /** A few words for the picture. */
  label: string;
  /** Lines for a tooltip or a details panel: log lines, timers, where it was read. */
  detail: string[];
  /** The acceptor's state after this step, on every step of a peer that holds an acceptor. */
  acceptor?: AcceptorState;
  /** A real run's step whose batch a crash interrupted before it was on stable storage. */
  neverDurable?: boolean;
}

/**
 * How a message reads: a request (prepare, accept), a yes (promise, acceptance), a no
 * (refusal, rejection), or a decision (chose).
 */
export type Tone = 'request' | 'yes' | 'no' | 'decision';

type Fate =
  /** Received: the arrow ends at `receive`. */
  | 'delivered'
  /** The network lost it at `endRow`: the arrow ends in a cross. */
  | 'lost'
  /** Still in flight when the run ended. */
  | 'in-flight'
  /** A real run's sent line that no received line matches (lab lines do not say where it went). */
  | 'unmatched';

export interface ViewMessage {
  id: number;
  from: PeerId;
  /** Null when the input does not say (a lab sent line nobody received). */
  to: PeerId | null;
  type: string;
  tone: Tone;
  label: string;
  fields: Record<string, string | number | boolean | null>;
  /** The event that sent it. */
  send: number;
  /** The event that received it, when delivered. */
  receive?: number;
  fate: Fate;
  /** Row where the arrow ends when it has no receive (lost: where the network dropped it). */
  endRow?: number;
  /** A copy the network made (simulator), or a second receive of one sent line (lab lines). */
  duplicate?: { row: number };
}

export interface ChosenMark {
  /** The marker is drawn just below this row: the step after which a majority had accepted. */
  row: number;
  group: number;
  n: number;
  value: string;
  text: string;
}

interface ViewViolation {
  /** The event that breaks the rule, when it is one event. */
  event?: number;
  row: number;
  /** The rule's name (an invariant of the spec, or a rule of paxos trace). */
  rule: string;
  /** The rule in words. */
  ruleText: string;
  /** Why this run breaks it. */
  message: string;
}

export interface RunView {
  title: string;
  kind: RunKind;
  peers: ViewPeer[];
  /** One description per row (what the step did), for the row labels. */
  rows: string[];
  events: ViewEvent[];
  messages: ViewMessage[];
  chosen: ChosenMark[];
  violation?: ViewViolation;
  /** Stretches of a lifeline where the peer's process was down (a real run: from its crash to its restart). */
  down?: { peer: PeerId; fromRow: number; toRow: number }[];
  /** Remarks about what the picture cannot know (e.g. lab lines name no destinations). */
  notes: string[];
}

export function viewPeers(cluster: ClusterConfig): ViewPeer[] {
  return cluster.peers.map((p) => ({
    id: p.id,
    host: p.host,
    roles: [
      ...p.proposer.map((k) => `proposer${k}`),
      ...p.acceptor.map((k) => `acceptor${k}`),
      ...p.learner.map((k) => `learner${k}`),
    ],
  }));
}

/** The state as slide 45 writes it, `(minProposal, acceptedProposal, acceptedValue)`. */
export const acceptorText = (a: AcceptorState): string =>
  `(${a.minProposal}, ${a.acceptedProposal}, ${a.acceptedValue ?? '-'})`;

/** Invariants of the spec and rules of paxos trace, in words, for a violation's banner. */
export const INVARIANT_TEXT: Record<string, string> = {
  Agreement: 'at most one value is chosen',
  Validity: 'a chosen value is one that some proposer proposed',
  TypeOK: 'every variable holds a value of its type',
  Inv: "the spec's inductive invariant holds",
};
