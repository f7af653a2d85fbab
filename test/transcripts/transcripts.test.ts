import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { formatTranscript, hostsfileOf, parseTranscript, readTranscript, TranscriptRun } from './transcript';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const update = process.env.UPDATE_TRANSCRIPTS === '1';
const files = readdirSync(here)
  .filter((f) => f.endsWith('.txt'))
  .sort();

/** Runs a transcript's steps; returns each block's actual output beside what the file expects. */
function replay(text: string, file: string) {
  const { header, blocks } = parseTranscript(text);
  const run = new TranscriptRun(path.join(root, hostsfileOf(text, file)));
  const results = blocks.map((b) => ({ ...b, actual: run.run(b.command) }));
  return { header, results };
}

describe('transcripts: scripted steps and the effects they must have', () => {
  test('there are scenarios for both testcases, a duel with backoff and a crash-restart', () => {
    expect(files).toEqual(
      expect.arrayContaining(['testcase1.txt', 'testcase2.txt', 'duel-backoff.txt', 'crash-restart.txt']),
    );
  });

  test.each(files)('%s', (file) => {
    const full = path.join(here, file);
    const { header, results } = replay(readTranscript(full), file);
    if (update) {
      writeFileSync(full, formatTranscript(header, results));
      return;
    }
    for (const r of results)
      expect(r.actual, `${file}:${r.line}: ${r.command} (UPDATE_TRANSCRIPTS=1 rewrites the file)`).toBe(
        r.expected,
      );
  });

  test('a transcript whose expectation differs from what the machines do fails, naming the step', () => {
    const text = readTranscript(path.join(here, 'testcase1.txt'));
    const tampered = text.replace('promised min=1', 'refused min=1');
    expect(tampered).not.toBe(text);
    const { results } = replay(tampered, 'testcase1.txt');
    const wrong = results.filter((r) => r.actual !== r.expected);
    expect(wrong).toHaveLength(1);
    expect(wrong[0]?.command).toMatch(/^deliver prepare peer1->peer2/);
  });
});
