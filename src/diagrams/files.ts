/**
 * The diagram files of the three role statecharts, by file name: `<role>.mmd` (Mermaid,
 * for the README and GitHub) and `<role>.svg` (Graphviz). `paxos diagrams` writes them;
 * the diagrams test holds docs/diagrams equal to them.
 */
import { roleMachines } from '../peer/node';
import { toDot } from './dot';
import { toMermaid } from './mermaid';
import { renderSvg } from './render';

export const ROLES = ['proposer', 'acceptor', 'learner'] as const;

function mermaidFiles(): Map<string, string> {
  return new Map(ROLES.map((role) => [`${role}.mmd`, toMermaid(roleMachines[role])]));
}

export async function diagramFiles(): Promise<Map<string, string>> {
  const files = mermaidFiles();
  for (const role of ROLES) files.set(`${role}.svg`, await renderSvg(toDot(roleMachines[role])));
  return files;
}
