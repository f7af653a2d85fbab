/** The statechart diagrams, bundled as text by scripts/build.mjs. */
declare module '*.svg' {
  const text: string;
  export default text;
}
