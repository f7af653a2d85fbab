/**
 * The diagram files of the statecharts, by file name: `<name>.mmd` (Mermaid, for the README
 * and GitHub) and `<name>.svg` (Graphviz), for the three roles of the lab and the register
 * round. `paxos diagrams` writes them; the diagrams test holds docs/diagrams equal to them.
 */
import type { AnyStateMachine } from 'xstate';
import { registerRoundMachine } from '../../machines/registerRound';
import { roleMachines } from '../peer/node';
import { toDot } from './dot';
import { toMermaid } from './mermaid';
import { renderSvg } from './render';

export const DIAGRAMS = ['proposer', 'acceptor', 'learner', 'registerRound'] as const;

export const diagramMachines: Record<(typeof DIAGRAMS)[number], AnyStateMachine> = {
  ...roleMachines,
  registerRound: registerRoundMachine,
};

function mermaidFiles(): Map<string, string> {
  return new Map(DIAGRAMS.map((name) => [`${name}.mmd`, toMermaid(diagramMachines[name])]));
}

export async function diagramFiles(): Promise<Map<string, string>> {
  const files = mermaidFiles();
  for (const name of DIAGRAMS) files.set(`${name}.svg`, await renderSvg(toDot(diagramMachines[name])));
  return files;
}
