/**
 * DOT to SVG, offline, with the WebAssembly build of Graphviz (@viz-js/viz). It is loaded
 * on first use, so the bundled CLI needs it only when `paxos diagrams` runs. The DOT is
 * kept inside the SVG as a comment: it says which machine definition the picture shows,
 * and the diagrams test compares it with what the machines generate today.
 */

const DOT_COMMENT_START = '<!-- paxos statechart, DOT source:\n';
const DOT_COMMENT_END = '-->\n';

type Viz = Awaited<ReturnType<typeof import('@viz-js/viz')['instance']>>;
let viz: Promise<Viz> | undefined;

const loadViz = async (): Promise<Viz> => {
  const { instance } = await import('@viz-js/viz');
  return instance();
};

export async function renderSvg(dot: string): Promise<string> {
  if (dot.includes('--')) throw new Error('DOT text with "--" cannot be kept in an XML comment');
  viz ??= loadViz();
  const svg = (await viz).renderString(dot, { format: 'svg', engine: 'dot' });
  // After the XML declaration and doctype, before <svg>: the comment is part of the document.
  const at = svg.indexOf('<svg');
  if (at < 0) throw new Error('Graphviz returned no <svg> element');
  return `${svg.slice(0, at)}${DOT_COMMENT_START}${dot}${DOT_COMMENT_END}${svg.slice(at)}`;
}

/** The DOT source an SVG written by renderSvg was drawn from, or null. */
export function embeddedDot(svg: string): string | null {
  const start = svg.indexOf(DOT_COMMENT_START);
  if (start < 0) return null;
  const end = svg.indexOf(DOT_COMMENT_END, start + DOT_COMMENT_START.length);
  return end < 0 ? null : svg.slice(start + DOT_COMMENT_START.length, end);
}
