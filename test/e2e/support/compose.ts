/**
 * Reads what the lab's Docker files say, so the namespace test runs exactly that rather
 * than a copy: each compose service's hostname and command, and the image's entrypoint and
 * final-stage files. The compose reader handles the plain subset these files use (block
 * mappings, `- item` lists, unquoted scalars) and refuses anything else, loudly.
 */
import { readFileSync } from 'node:fs';

export interface ComposeService {
  name: string;
  image?: string;
  containerName?: string;
  hostname?: string;
  networks: string[];
  /** The command split into arguments (the files use no quoting). */
  command: string[];
}

export function readComposeFile(file: string): { services: ComposeService[]; networks: string[] } {
  const services: ComposeService[] = [];
  const networks: string[] = [];
  let section = '';
  let service: ComposeService | undefined;
  let listKey = '';
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const where = `${file}:${i + 1}`;
      const line = raw.replace(/\s+#.*$/, '').replace(/^#.*$/, '');
      if (line.trim() === '') return;
      const indent = line.length - line.trimStart().length;
      const text = line.trim();
      if (/["']/.test(text)) throw new Error(`${where}: quoting is beyond this reader`);
      if (indent === 0) {
        section = text.replace(/:$/, '');
        service = undefined;
        return;
      }
      if (section === 'networks' && indent === 2) {
        networks.push(text.replace(/:.*$/, ''));
        return;
      }
      if (section !== 'services') throw new Error(`${where}: unexpected top-level section '${section}'`);
      if (indent === 2) {
        service = { name: text.replace(/:$/, ''), networks: [], command: [] };
        services.push(service);
        return;
      }
      if (!service) throw new Error(`${where}: service property outside a service`);
      if (indent === 6 && text.startsWith('- ')) {
        if (listKey !== 'networks')
          throw new Error(`${where}: list under '${listKey}' is beyond this reader`);
        service.networks.push(text.slice(2).trim());
        return;
      }
      const m = /^([a-z_]+):\s*(.*)$/.exec(text);
      if (indent !== 4 || !m) throw new Error(`${where}: cannot read '${text}'`);
      const [, key, value] = m as unknown as [string, string, string];
      listKey = value === '' ? key : '';
      if (key === 'image') service.image = value;
      else if (key === 'container_name') service.containerName = value;
      else if (key === 'hostname') service.hostname = value;
      else if (key === 'command') service.command = value.split(/\s+/).filter((a) => a !== '');
      else if (key !== 'networks') throw new Error(`${where}: key '${key}' is beyond this reader`);
    });
  return { services, networks };
}

export interface ImageRecipe {
  /** ENTRYPOINT of the final stage, exec form. */
  entrypoint: string[];
  /** WORKDIR of the final stage. */
  workdir: string;
  /** Final-stage copies: `from` a build stage path or the build context (glob allowed in the file name). */
  copies: { fromStage?: string; source: string; target: string }[];
}

export function readDockerfile(file: string): ImageRecipe {
  const lines = readFileSync(file, 'utf8').split('\n');
  const lastFrom = lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true);
  const recipe: ImageRecipe = { entrypoint: [], workdir: '/', copies: [] };
  for (const line of lines.slice(lastFrom + 1)) {
    const m = /^(\w+)\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, instruction, rest] = m as unknown as [string, string, string];
    if (instruction === 'ENTRYPOINT') recipe.entrypoint = JSON.parse(rest) as string[];
    if (instruction === 'WORKDIR') recipe.workdir = rest.trim();
    if (instruction === 'COPY') {
      const parts = rest.trim().split(/\s+/);
      const from = parts[0]?.startsWith('--from=') ? parts.shift()?.slice('--from='.length) : undefined;
      const target = parts.pop() ?? '';
      for (const source of parts)
        recipe.copies.push({ ...(from ? { fromStage: from } : {}), source, target });
    }
  }
  return recipe;
}
