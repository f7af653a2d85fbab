/**
 * What the page starts with, decided where the hostsfile parser and the scripted pictures
 * live (Node): the clusters already parsed, each with its proposers' values and,
 * for some, a path ready to step through. The page receives this as JSON data.
 */
import type { GroupId, Value } from '../../machines/messages';
import type { ClusterConfig } from '../config/cluster';
import { parseHostsfile } from '../config/hostsfile';
import { defaultValues } from '../sim/random';
import { DISJOINT_HOSTSFILE, scriptedSteps, TESTCASE2_HOSTSFILE, TESTCASE2_SCRIPT } from '../view/pictures';
import type { SimStep } from '../world/world';
import type { RegisterFault, RegisterPlan } from './registerSession';
import { type ExplorerFault, Session, type Step } from './session';

export interface Scenario {
  id: string;
  title: string;
  /** What to try, in a sentence or two. */
  about: string;
  cluster: ClusterConfig;
  values: Record<GroupId, Value>;
  /** Steps laid out ahead of the start, followed with the forward key (nothing taken yet). */
  ahead?: Step[];
  /** Steps taken at the start (a loaded counterexample: the page opens at its end). */
  taken?: Step[];
}

/** A register scenario: clients' operations on one key, stepped through the checker's register model. */
export interface RegisterScenario {
  id: string;
  title: string;
  about: string;
  plan: RegisterPlan;
}

export interface PageData {
  scenarios: Scenario[];
  registers?: RegisterScenario[];
  /** The scenario the page opens with when its URL names none. */
  start: string;
  fault?: ExplorerFault | RegisterFault;
}

/** Two clients on one key of three register peers: peer1 puts a while peer2 gets. */
export const registerScenarios = (): RegisterScenario[] => [
  {
    id: 'registers',
    title: 'registers: put and get',
    about:
      "Three register peers, one key: a client at peer1 puts a, a client at peer2 gets. The checker's " +
      'register model takes each step (at most two rounds an operation, one copy, one crash); the ' +
      'history so far must stay linearizable and every step map to spec/Registers.tla.',
    plan: {
      peers: 3,
      clients: [
        { peer: 1, ops: [{ kind: 'put', value: 'a' }] },
        { peer: 2, ops: [{ kind: 'get' }] },
      ],
    },
  },
];

/** The lab's hostsfile-testcase1.txt (a test holds it equal to the file at the repository's top). */
export const TESTCASE1_HOSTSFILE =
  'peer1:proposer1\npeer2:acceptor1\npeer3:acceptor1\npeer4:acceptor1\npeer5:learner1\n';

/** Steps of a file or a script as typed actions, each checked to be enabled in turn, and how many had no effect. */
const resolveSteps = (
  cluster: ClusterConfig,
  steps: readonly SimStep[],
): { actions: Step[]; skipped: number } => {
  const session = new Session(cluster, defaultValues(cluster));
  const actions = session.actionsOf(session.load(steps));
  return { actions, skipped: session.skipped };
};

const scenario = (
  id: string,
  title: string,
  about: string,
  cluster: ClusterConfig,
  extra: Partial<Scenario> = {},
): Scenario => ({ id, title, about, cluster, values: defaultValues(cluster), ...extra });

/** The built-in scenarios and the page's own hostsfile (with a loaded path, if any). */
export function scenarios(hosts: ClusterConfig, loaded?: readonly SimStep[]): Scenario[] {
  const tc1 = parseHostsfile(TESTCASE1_HOSTSFILE, 'hostsfile-testcase1.txt');
  const tc2 = parseHostsfile(TESTCASE2_HOSTSFILE, 'hostsfile-testcase2.txt');
  const disjoint = parseHostsfile(DISJOINT_HOSTSFILE, 'disjoint-quorums.txt', { allowUnsafeQuorums: true });
  const slide46 = resolveSteps(tc2, scriptedSteps(tc2, TESTCASE2_SCRIPT)).actions;
  const resolved = loaded ? resolveSteps(hosts, loaded) : undefined;
  const taken = resolved?.actions;
  const skipped = resolved?.skipped ? ` (${resolved.skipped} steps that had no effect left out)` : '';
  return [
    scenario(
      'hosts',
      hosts.source,
      taken
        ? `the loaded file's ${taken.length} steps on ${hosts.source}${skipped}`
        : `the page's hostsfile, ${hosts.source}`,
      hosts,
      taken ? { taken } : {},
    ),
    scenario('testcase1', 'lab testcase 1', 'peer1 proposes X to peer2-4; peer5 only learns.', tc1),
    scenario(
      'testcase2',
      'lab testcase 2',
      'peer1 proposes X, peer5 proposes Y to the same three acceptors.',
      tc2,
    ),
    scenario(
      'slide46',
      "slide 46's duel",
      'Two proposers, three acceptors: peer3 accepted X before peer5 prepares, so peer5 adopts X. ' +
        'Press → to follow the slide, or choose other steps to fork.',
      tc2,
      { ahead: slide46 },
    ),
    scenario(
      'disjoint',
      'disjoint quorums',
      "Group 1's majority {peer2, peer3} and group 2's {peer5, peer6} need not meet: get both X and Y chosen.",
      disjoint,
    ),
  ];
}
