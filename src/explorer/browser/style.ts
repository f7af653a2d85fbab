/** The page's look: three columns that scroll on their own, so a 1280x800 window holds the whole tool. */
export const STYLE = `
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.35 system-ui, sans-serif; color: #1f2328; background: #f6f7f9; height: 100vh; }
#app { display: grid; grid-template-rows: auto auto 1fr; height: 100vh; }
header { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; padding: 6px 10px; background: #fff; border-bottom: 1px solid #d0d7de; }
header h1 { font-size: 15px; margin: 0 6px 0 0; }
#about { flex-basis: 100%; color: #57606a; font-size: 12px; }
#app.registers .lab-only { display: none; }
#history { margin: 4px 0; padding-left: 22px; font-family: ui-monospace, monospace; font-size: 11px; }
#scenario { max-width: 220px; }
#goal { max-width: 200px; }
.keys { color: #57606a; font-size: 12px; }
button, select, input { font: inherit; }
button { padding: 2px 8px; border: 1px solid #afb8c1; border-radius: 4px; background: #fff; cursor: pointer; }
button:hover:not(:disabled) { background: #eef2f6; }
button:disabled { color: #8c959f; cursor: default; }
#seed { width: 5em; }
#badges { display: flex; flex-wrap: wrap; gap: 6px; padding: 5px 10px; background: #fff; border-bottom: 1px solid #d0d7de; align-items: center; }
.badge { padding: 1px 8px; border-radius: 10px; font-size: 12px; border: 1px solid; }
.badge.ok { background: #dafbe1; border-color: #4ac26b; color: #116329; }
.badge.broken { background: #ffebe9; border-color: #ff8182; color: #a40e26; font-weight: 600; }
#breach { flex-basis: 100%; color: #a40e26; font-size: 12px; }
#breach:empty { display: none; }
#error { flex-basis: 100%; color: #fff; background: #cf222e; padding: 3px 8px; border-radius: 4px; }
main { display: grid; grid-template-columns: 310px 1fr 280px; min-height: 0; }
main > section { overflow: auto; padding: 6px 10px; min-height: 0; }
main > #center { display: grid; grid-template-rows: minmax(0, 1fr) auto minmax(0, 1.2fr); overflow: hidden; }
#state { overflow: auto; min-height: 0; }
.state summary { cursor: pointer; }
#actions-panel { border-right: 1px solid #d0d7de; }
#path-panel { border-left: 1px solid #d0d7de; }
h2 { font-size: 13px; margin: 4px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: #57606a; }
h3 { font-size: 13px; margin: 0 0 4px; }
.peer-actions { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 5px 7px; margin-bottom: 6px; }
.roles { color: #57606a; font-weight: normal; font-size: 12px; }
.msg-row { display: flex; gap: 4px; align-items: center; margin: 2px 0; }
.msg-row .what { flex: 1; font-size: 12px; }
button.action { font-size: 12px; }
button.action[data-kind=deliver], button.action[data-kind=start], button.action[data-kind=timeout] { border-color: #0969da; color: #0969da; }
button.action[data-kind=drop], button.action[data-kind=crash] { color: #a40e26; }
button.action[data-kind=restart] { border-color: #1a7f37; color: #1a7f37; }
#peers { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 6px; }
.peer-card { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: 5px 7px; font-size: 12px; }
.peer-card.selected { outline: 2px solid #0969da; }
.peer-card.down { background: #eaeef2; color: #57606a; border-style: dashed; }
.peer-card .down-mark { background: #a40e26; color: #fff; border-radius: 8px; padding: 0 6px; font-weight: 600; }
.peer-card h3 { display: flex; gap: 5px; align-items: baseline; }
.peer-card .chose { margin-left: auto; white-space: nowrap; background: #ddf4ff; border-radius: 8px; padding: 0 6px; font-weight: 600; }
.state { margin: 2px 0; }
.state b { font-family: ui-monospace, monospace; }
.kv { font-family: ui-monospace, monospace; font-size: 11px; color: #424a53; word-break: break-all; }
#in-flight { margin: 8px 0; font-size: 12px; }
#in-flight li { font-family: ui-monospace, monospace; font-size: 11px; }
#statechart svg { max-width: 100%; height: auto; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; margin: 4px 0; }
#statechart .active > path, #statechart .active > polygon, #statechart .active > ellipse { fill: #fff1b8; stroke: #bf8700; stroke-width: 3; }
#diagram { overflow: auto; min-height: 0; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; }
#diagram.fit svg { width: 100%; height: auto; }
h2 button { font-size: 11px; text-transform: none; letter-spacing: 0; margin-left: 6px; }
#path { margin: 0; padding-left: 0; list-style: none; font-size: 12px; }
#path li { padding: 2px 4px; border-radius: 4px; cursor: pointer; }
#path li:hover { background: #eef2f6; }
#path li.current { background: #ddf4ff; font-weight: 600; }
#path li.ahead { color: #8c959f; }
#path li.breaks { border-left: 3px solid #cf222e; }
#path .forks { margin: 1px 0 2px 14px; color: #57606a; }
#path .forks button { font-size: 11px; padding: 0 4px; margin: 1px; }
kbd { border: 1px solid #afb8c1; border-bottom-width: 2px; border-radius: 3px; padding: 0 3px; font-size: 11px; }
`;
