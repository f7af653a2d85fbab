/**
 * docs/diagrams holds what the machines (the three roles and the register round) generate
 * today (run `npm run diagrams` after changing a machine), the diagrams draw every
 * transition the way XState runs it, and docs/architecture.md, which embeds them, shows the same Mermaid text.
 *
 * The .mmd files are compared byte for byte. Each .svg is compared twice: the DOT source
 * it embeds must equal the DOT the machine gives (this names the machine change, and does
 * not depend on Graphviz), and the whole file must equal a fresh rendering with the pinned
 * @viz-js/viz (this catches a hand edit or a renderer upgrade that was not re-run).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { type AnyStateMachine, createMachine } from 'xstate';
import { toDot } from '../src/diagrams/dot';
import { DIAGRAMS, diagramFiles, diagramMachines } from '../src/diagrams/files';
import { toMermaid } from '../src/diagrams/mermaid';
import { embeddedDot, renderSvg } from '../src/diagrams/render';
import { roleMachines } from '../src/peer/node';
import { drawnSourcesOf, transitionsOf } from '../src/statechart/structure';

const root = join(import.meta.dirname, '..');
const committed = (name: string) => readFileSync(join(root, 'docs/diagrams', name), 'utf8');
const STALE = 'docs/diagrams is stale: run `npm run diagrams` and commit the result';

describe('docs/diagrams matches the machines', () => {
  test('exactly the three roles and the register round, as .mmd and .svg', () => {
    expect(readdirSync(join(root, 'docs/diagrams')).sort()).toEqual(
      DIAGRAMS.flatMap((r) => [`${r}.mmd`, `${r}.svg`]).sort(),
    );
  });

  test.each(DIAGRAMS)('%s.mmd', (role) => {
    expect(committed(`${role}.mmd`), STALE).toBe(toMermaid(diagramMachines[role]));
  });

  test.each(DIAGRAMS)('%s.svg embeds the DOT of the machine', (role) => {
    expect(embeddedDot(committed(`${role}.svg`)), STALE).toBe(toDot(diagramMachines[role]));
  });

  test.each(DIAGRAMS)('%s.svg is what Graphviz draws from it', async (role) => {
    expect(committed(`${role}.svg`), STALE).toBe(await renderSvg(toDot(diagramMachines[role])));
  });
});

describe('the diagrams draw every transition as XState runs it', () => {
  const edgesOf = (text: string, arrow: string) => text.split('\n').filter((l) => l.includes(arrow));

  test.each(DIAGRAMS)('%s: one Mermaid edge per transition and state it fires in', (role) => {
    const machine = diagramMachines[role];
    const expected = transitionsOf(machine).reduce(
      (sum, t) => sum + drawnSourcesOf(t).length * Math.max(1, t.targets.length),
      0,
    );
    const edges = edgesOf(toMermaid(machine), ' --> ').filter((l) => !l.includes('[*]'));
    expect(edges).toHaveLength(expected);
  });

  test("the proposer's LEARNED is one edge, from the compound state undecided", () => {
    const mermaid = toMermaid(roleMachines.proposer);
    expect(edgesOf(mermaid, ' : LEARNED')).toEqual([
      '  undecided --> chosen : LEARNED / learnChosen, announceChosen, armAnnounceTimer',
    ]);
    const dot = toDot(roleMachines.proposer);
    expect(dot.split('\n').filter((l) => l.includes('label="LEARNED'))).toEqual([
      '  "proposer.undecided.idle" -> "proposer.chosen" [label="LEARNED\\n/ learnChosen, announceChosen, armAnnounceTimer", ltail="cluster_proposer.undecided"];',
    ]);
  });

  test('recovering states show their eventless branches, in order, ending with else', () => {
    expect(edgesOf(toMermaid(roleMachines.acceptor), 'recovering -->')).toEqual([
      '  recovering --> accepted : always [hasAccepted]',
      '  recovering --> promised : always [hasPromised]',
      '  recovering --> idle : always [else]',
    ]);
    expect(edgesOf(toMermaid(roleMachines.learner), 'recovering -->')).toEqual([
      '  recovering --> learned : always [hasLearned]',
      '  recovering --> listening : always [else]',
    ]);
    expect(toDot(roleMachines.acceptor)).toContain(
      '"acceptor.recovering" -> "acceptor.accepted" [label="always [hasAccepted]"];',
    );
  });

  test('the same machine definition gives the same bytes', () => {
    for (const role of DIAGRAMS) {
      const m = diagramMachines[role] as AnyStateMachine;
      const rebuilt = createMachine(m.config as never, m.implementations as never) as AnyStateMachine;
      expect(toMermaid(rebuilt)).toBe(toMermaid(m));
      expect(toDot(rebuilt)).toBe(toDot(m));
    }
  });
});

describe('docs/architecture.md shows the generated Mermaid', () => {
  const page = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const blocks = [...page.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);

  test('every mermaid block of docs/architecture.md is one of docs/diagrams, and each is there', () => {
    const generated = DIAGRAMS.map((r) => toMermaid(diagramMachines[r]));
    expect(
      blocks.filter((b) => !generated.includes(b as string)),
      'docs/architecture.md has a stale diagram',
    ).toEqual([]);
    expect(
      generated.filter((g) => !blocks.includes(g)),
      'docs/architecture.md lacks a diagram',
    ).toEqual([]);
  });
});

describe('paxos diagrams', () => {
  test('the bundled CLI writes the same eight files', async () => {
    const out = mkdtempSync(join(tmpdir(), 'paxos-diagrams-'));
    try {
      const run = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'diagrams', '--out', out], {
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toBe('');
      const files = await diagramFiles();
      expect(readdirSync(out).sort()).toEqual([...files.keys()].sort());
      for (const [name, text] of files) expect(readFileSync(join(out, name), 'utf8')).toBe(text);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('without --out it exits 2 with usage on stderr', () => {
    const run = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'diagrams'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--out');
  });
});
