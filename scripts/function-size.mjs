// CI's bound on function size: ESLint's max-lines-per-function (eslint.config.mjs) over
// src/ and machines/, failing on any function over 100 lines except those listed in
// function-size-debt.json at their current length. That list is a debt: an entry must match
// its function's length exactly, so it can only shrink, and goes once the function fits.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ESLint } from 'eslint';

const DEBT_FILE = 'function-size-debt.json';
const OVER = /^(.*) has too many lines \((\d+)\)/;

const debt = JSON.parse(readFileSync(new URL(`../${DEBT_FILE}`, import.meta.url), 'utf8')).functions;
const listed = new Map(debt.map((d) => [`${d.file}: ${d.function}`, d.lines]));

const results = await new ESLint().lintFiles(['src', 'machines']);
const problems = [];
const seen = new Map();
for (const result of results) {
  const file = relative(process.cwd(), result.filePath);
  for (const message of result.messages) {
    const over = message.ruleId === 'max-lines-per-function' ? OVER.exec(message.message) : null;
    if (!over) {
      problems.push(`${file}:${message.line}: ${message.message}`);
      continue;
    }
    // Anonymous functions share a description; their order in the file tells them apart.
    let key = `${file}: ${over[1]}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    if (count > 1) key += ` #${count}`;
    const lines = Number(over[2]);
    const allowed = listed.get(key);
    listed.delete(key);
    if (allowed === undefined) problems.push(`${file}:${message.line}: ${message.message}`);
    else if (lines > allowed) problems.push(`${key} grew from ${allowed} to ${lines} lines`);
    else if (lines < allowed)
      problems.push(`${key} shrank to ${lines} lines: lower its entry in ${DEBT_FILE}`);
  }
}
for (const key of listed.keys())
  problems.push(`${key} is within 100 lines now: remove its entry from ${DEBT_FILE}`);

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exitCode = 1;
}
