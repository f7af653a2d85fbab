/**
 * The picture as one HTML file that opens from disk: the SVG inline, the run as JSON, and a
 * small script that adds stepping, message details, hiding peers, jumping to the violation
 * and zoom. Nothing is fetched. With scripting off the page is the SVG plus a static summary
 * (the controls stay hidden), and the SVG's own tooltips still name every message.
 */
import { acceptorText, type RunView } from './runView';
import { esc, renderSvg } from './svg';

const PAGE_STYLE = `
body{margin:0;font-family:'DejaVu Sans',Verdana,sans-serif;font-size:13px;color:#222;background:#f6f6f6}
header{padding:8px 14px;background:#fff;border-bottom:1px solid #ddd;position:sticky;top:0;z-index:2}
header h1{font-size:16px;margin:0 0 4px;overflow-wrap:anywhere}
#controls{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin-top:6px}
#controls[hidden]{display:none}
#controls button{font:inherit;padding:2px 8px}
#controls fieldset{border:1px solid #ccc;padding:1px 6px;margin:0}
#step-text{flex-basis:100%;min-width:0;font-family:monospace;font-size:12px;color:#333;min-height:1.3em;overflow-wrap:anywhere}
main{display:flex;gap:10px;padding:10px;align-items:flex-start}
#diagram{overflow:auto;background:#fff;border:1px solid #ddd;flex:1 1 auto;max-height:calc(100vh - 140px)}
#diagram svg{display:block}
aside{flex:0 0 320px;min-width:0;background:#fff;border:1px solid #ddd;padding:8px 10px;font-size:12px;max-height:calc(100vh - 140px);overflow:auto;overflow-wrap:anywhere}
aside h2{font-size:13px;margin:8px 0 4px}
aside table{border-collapse:collapse;width:100%}
aside td{border-top:1px solid #eee;padding:2px 4px;vertical-align:top}
aside .violation{color:#8b1a1a;background:#fde8e8;padding:4px 6px;border:1px solid #c0392b}
aside pre{white-space:pre-wrap;margin:2px 0;font-size:11px}
.paxos-run .future{opacity:.1}
.paxos-run .msg.pending line,.paxos-run .msg.pending path{stroke-dasharray:2 4}
.paxos-run .row.now .row-band{fill:#fff5cc}
.paxos-run .event.now .mark{stroke:#e67e22;stroke-width:3}
.paxos-run .msg{cursor:pointer}
.paxos-run .msg:hover line,.paxos-run .msg:hover path,.paxos-run .msg.selected line,.paxos-run .msg.selected path{stroke-width:3.2}
.paxos-run .msg.selected text{font-weight:bold}
.paxos-run .peer-hidden{display:none}
`;

/** Plain ES2017 in the page: no modules, no globals but one closure, nothing loaded. */
const SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('run-data').textContent);
  var pane = document.getElementById('diagram');
  var svg = pane.querySelector('svg');
  var details = document.getElementById('details');
  var stepText = document.getElementById('step-text');
  var rows = data.rows.length;
  var current = rows - 1;
  var zoom = 1;
  var baseW = Number(svg.getAttribute('width'));
  var baseH = Number(svg.getAttribute('height'));
  var hidden = {};
  var num = function (el, name) { return Number(el.getAttribute(name)); };
  var name = function (id) {
    for (var i = 0; i < data.peers.length; i++) if (data.peers[i].id === id) return data.peers[i].host;
    return id === null ? 'unknown' : 'peer' + id;
  };
  var el = function (tag, text) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; };
  var state = function (a) { return '(' + a.minProposal + ', ' + a.acceptedProposal + ', ' + (a.acceptedValue === null ? '-' : a.acceptedValue) + ')'; };

  function showStep() {
    var all = svg.querySelectorAll('[data-row]');
    for (var i = 0; i < all.length; i++) {
      var e = all[i];
      var row = num(e, 'data-row');
      e.classList.toggle('future', row > current);
      e.classList.toggle('now', row === current && !e.classList.contains('msg'));
      if (e.classList.contains('msg')) e.classList.toggle('pending', row <= current && num(e, 'data-end-row') > current);
    }
    stepText.textContent = 'step ' + (current + 1) + ' / ' + rows + ': ' + (data.rows[current] || '');
    details.textContent = '';
    details.appendChild(el('h2', 'Step ' + (current + 1)));
    details.appendChild(el('p', data.rows[current] || ''));
    data.events.forEach(function (ev) {
      if (ev.row !== current) return;
      details.appendChild(el('h2', name(ev.peer) + ': ' + ev.kind + (ev.label ? ' (' + ev.label + ')' : '')));
      ev.detail.forEach(function (d) { details.appendChild(el('pre', d)); });
      if (ev.acceptor) details.appendChild(el('pre', 'acceptor (minProposal, acceptedProposal, acceptedValue) = ' + state(ev.acceptor)));
    });
    if (data.violation && data.violation.row === current) details.appendChild(violationBox());
  }

  function violationBox() {
    var v = data.violation;
    var box = el('div');
    box.className = 'violation';
    box.appendChild(el('strong', 'Violation of ' + v.rule + ': '));
    box.appendChild(document.createTextNode(v.ruleText + '. ' + v.message));
    return box;
  }

  function showMessage(id) {
    var m = data.messages[id];
    var sel = svg.querySelectorAll('.msg.selected');
    for (var i = 0; i < sel.length; i++) sel[i].classList.remove('selected');
    var g = svg.querySelector('.msg[data-msg="' + id + '"]');
    if (g) g.classList.add('selected');
    details.textContent = '';
    details.appendChild(el('h2', 'Message: ' + m.label));
    details.appendChild(el('p', name(m.from) + ' \\u2192 ' + name(m.to) + ', ' + m.fate + (m.duplicate ? ', a duplicate' : '')));
    var table = el('table');
    table.id = 'message-fields';
    Object.keys(m.fields).forEach(function (k) {
      var tr = el('tr');
      tr.appendChild(el('td', k));
      tr.appendChild(el('td', m.fields[k] === null ? '-' : String(m.fields[k])));
      table.appendChild(tr);
    });
    details.appendChild(table);
  }

  function applyHidden() {
    var all = svg.querySelectorAll('[data-peers]');
    for (var i = 0; i < all.length; i++) {
      var ids = all[i].getAttribute('data-peers').split(' ');
      var off = ids.some(function (p) { return p !== '' && hidden[p]; });
      all[i].classList.toggle('peer-hidden', off);
    }
  }

  // Stepping past the edge of the pane scrolls the new step into view, with a few rows of context.
  function reveal(row) {
    var band = svg.querySelector('.row[data-row="' + row + '"] .row-band');
    if (!band) return;
    var b = band.getBoundingClientRect();
    var top = pane.getBoundingClientRect().top + pane.clientTop;
    var bottom = top + pane.clientHeight;
    var margin = Math.min(3 * b.height, pane.clientHeight / 3);
    if (b.top < top) pane.scrollTop -= top - b.top + margin;
    else if (b.bottom > bottom) pane.scrollTop += b.bottom - bottom + margin;
  }
  function go(row) { current = Math.max(0, Math.min(rows - 1, row)); showStep(); reveal(current); }
  function setZoom(z) {
    zoom = Math.max(0.25, Math.min(4, z));
    svg.setAttribute('width', String(Math.round(baseW * zoom)));
    svg.setAttribute('height', String(Math.round(baseH * zoom)));
  }

  document.getElementById('first').addEventListener('click', function () { go(0); });
  document.getElementById('back').addEventListener('click', function () { go(current - 1); });
  document.getElementById('forward').addEventListener('click', function () { go(current + 1); });
  document.getElementById('last').addEventListener('click', function () { go(rows - 1); });
  document.getElementById('zoom-in').addEventListener('click', function () { setZoom(zoom * 1.25); });
  document.getElementById('zoom-out').addEventListener('click', function () { setZoom(zoom / 1.25); });
  document.getElementById('zoom-fit').addEventListener('click', function () {
    setZoom(Math.min(pane.clientWidth / baseW, pane.clientHeight / baseH));
  });
  var jump = document.getElementById('jump-violation');
  if (data.violation) {
    jump.addEventListener('click', function () {
      go(data.violation.row);
      var mark = svg.querySelector('.violation');
      if (mark && mark.scrollIntoView) mark.scrollIntoView({ block: 'center', inline: 'center' });
    });
  } else jump.hidden = true;
  svg.addEventListener('click', function (event) {
    var g = event.target.closest ? event.target.closest('.msg, .dup-mark') : null;
    if (g) showMessage(num(g, 'data-msg'));
    else {
      var ev = event.target.closest ? event.target.closest('.event') : null;
      if (ev) go(num(ev, 'data-row'));
    }
  });
  var peers = document.getElementById('peers');
  data.peers.forEach(function (p) {
    var label = el('label');
    var box = el('input');
    box.type = 'checkbox';
    box.checked = true;
    box.setAttribute('data-peer-toggle', String(p.id));
    box.addEventListener('change', function () { hidden[String(p.id)] = !box.checked; applyHidden(); });
    label.appendChild(box);
    label.appendChild(document.createTextNode(' ' + p.host + ' '));
    peers.appendChild(label);
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowRight') go(current + 1);
    else if (e.key === 'ArrowLeft') go(current - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(rows - 1);
  });
  document.getElementById('controls').hidden = false;
  // Every lane on screen at once, never enlarged: the page opens at the last step, so it shows it.
  setZoom(Math.min(1, (pane.clientWidth - 1) / baseW));
  go(rows - 1);
})();
`;

function staticSummary(view: RunView): string {
  const out: string[] = [];
  if (view.violation) {
    const v = view.violation;
    out.push(
      `<p class="violation"><strong>Violation of ${esc(v.rule)}:</strong> ${esc(v.ruleText)}. ${esc(v.message)} (step ${v.row + 1})</p>`,
    );
  }
  out.push(
    `<p>${esc(view.kind)}: ${view.rows.length} steps, ${view.events.length} events, ${view.messages.length} messages.</p>`,
  );
  if (view.chosen.length > 0)
    out.push(
      `<h2>Chosen</h2>${view.chosen.map((c) => `<p>after step ${c.row + 1}: ${esc(c.text)}</p>`).join('')}`,
    );
  else out.push('<p>Nothing was chosen.</p>');
  const finals = new Map<number, string>();
  for (const e of view.events) if (e.acceptor) finals.set(e.peer, acceptorText(e.acceptor));
  if (finals.size > 0)
    out.push(
      `<h2>Acceptors at the end</h2><table>${[...finals]
        .map(
          ([p, s]) =>
            `<tr><td>${esc(view.peers.find((x) => x.id === p)?.host ?? `peer${p}`)}</td><td>${esc(s)}</td></tr>`,
        )
        .join('')}</table>`,
    );
  out.push(
    '<h2>Reading it</h2><p>Blue: prepare and accept. Green: promise and acceptance. Red dashed: refusal and rejection. ' +
      'Purple: chose. A cross: lost. "dup": a duplicate. Acceptors show (minProposal, acceptedProposal, acceptedValue) where it changes. ' +
      'A bar: a process starts; a red cross on a lifeline: it died (dotted until it restarts, the zigzag); faded steps were never durable. ' +
      'Hover a message or a mark for its fields.</p>',
  );
  for (const n of view.notes) out.push(`<p><em>${esc(n)}</em></p>`);
  return out.join('\n');
}

export function renderHtml(view: RunView): string {
  const json = JSON.stringify(view).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(view.title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>${esc(view.title)}</h1>
<div id="controls" hidden>
<button id="first" title="first step (Home)">|&lt;</button>
<button id="back" title="step back (left arrow)">&lt; back</button>
<button id="forward" title="step forward (right arrow)">forward &gt;</button>
<button id="last" title="last step (End)">&gt;|</button>
<button id="jump-violation">jump to violation</button>
<button id="zoom-out" title="zoom out">−</button>
<button id="zoom-fit" title="fit">fit</button>
<button id="zoom-in" title="zoom in">+</button>
<fieldset id="peers"><legend>peers</legend></fieldset>
<div id="step-text"></div>
</div>
</header>
<main>
<div id="diagram">
${renderSvg(view)}</div>
<aside id="details">
${staticSummary(view)}
</aside>
</main>
<script type="application/json" id="run-data">${json}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
