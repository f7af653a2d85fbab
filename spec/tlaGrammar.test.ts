/**
 * TLC and SANY cannot run on this project's machines, so Paxos.tla and Registers.tla are
 * parsed with the TLA+ tree-sitter grammar instead: a syntax slip fails here, and the names
 * each transcription claims to share with its module are read off a real parse tree, not a
 * regular expression.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, test } from 'vitest';
import { Language, Parser } from 'web-tree-sitter';
import { ACTION_NAMES, INVARIANT_NAMES } from './paxos';
import { REGISTERS_ACTION_NAMES, REGISTERS_INVARIANT_NAMES } from './registers';

const tla = readFileSync(new URL('./Paxos.tla', import.meta.url), 'utf8');
const registersTla = readFileSync(new URL('./Registers.tla', import.meta.url), 'utf8');
let parser: Parser;

beforeAll(async () => {
  await Parser.init();
  const require = createRequire(import.meta.url);
  const grammar = require.resolve('@tlaplus/tree-sitter-tlaplus/tree-sitter-tlaplus.wasm');
  parser = new Parser();
  parser.setLanguage(await Language.load(grammar));
});

const parse = (text: string) => {
  const tree = parser.parse(text);
  if (!tree) throw new Error('the parser gave no tree');
  return tree.rootNode;
};

describe('spec/Paxos.tla under the TLA+ grammar', () => {
  test('parses without a syntax error', () => {
    const root = parse(tla);
    const errors = root.descendantsOfType(['ERROR', 'MISSING']);
    expect(errors.map((e) => `line ${(e?.startPosition.row ?? 0) + 1}: ${e?.text}`)).toEqual([]);
    expect(root.hasError).toBe(false);
  });

  test('defines every action and invariant of the transcription', () => {
    const defined = new Set(
      parse(tla)
        .descendantsOfType('operator_definition')
        .map((d) => d?.childForFieldName('name')?.text),
    );
    for (const name of [...ACTION_NAMES, ...INVARIANT_NAMES, 'Init', 'Next', 'Spec']) {
      expect(defined, name).toContain(name);
    }
  });

  test('a slip of one bracket is caught', () => {
    expect(parse(tla.replace('m.bal > maxBal[a]', 'm.bal > maxBal[a')).hasError).toBe(true);
  });
});

describe('spec/Registers.tla under the TLA+ grammar', () => {
  test('parses without a syntax error', () => {
    const root = parse(registersTla);
    const errors = root.descendantsOfType(['ERROR', 'MISSING']);
    expect(errors.map((e) => `line ${(e?.startPosition.row ?? 0) + 1}: ${e?.text}`)).toEqual([]);
    expect(root.hasError).toBe(false);
  });

  test('defines every action and invariant of the transcription', () => {
    const defined = new Set(
      parse(registersTla)
        .descendantsOfType('operator_definition')
        .map((d) => d?.childForFieldName('name')?.text),
    );
    for (const name of [
      ...REGISTERS_ACTION_NAMES,
      ...REGISTERS_INVARIANT_NAMES,
      'Init',
      'Next',
      'Spec',
      'History',
    ]) {
      expect(defined, name).toContain(name);
    }
  });

  test('a slip of one bracket is caught', () => {
    expect(parse(registersTla.replace('b > pBal[p]', 'b > pBal[p')).hasError).toBe(true);
  });
});
