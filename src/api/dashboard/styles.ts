/**
 * The dashboard's CSS, served as /dashboard/app.css. A string in a module
 * rather than a file, for the reason client.ts gives: the Lambda bundle
 * carries no files. Colours are never the only signal (badges carry a word),
 * and each tone pair keeps at least 4.5:1 contrast in light and dark schemes.
 */
export const DASHBOARD_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; --link: #0550ae; --focus: #bf3989;
  --good-bg: #dafbe1; --good-fg: #116329; --warn-bg: #fff1c2; --warn-fg: #7a4d00; --bad-bg: #ffebe9; --bad-fg: #a40e26;
  --busy-bg: #ddf4ff; --busy-fg: #0a3069; --idle-bg: #eaeef2; --idle-fg: #424a53;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --panel: #161b22; --link: #79c0ff; --focus: #ff7bc4;
    --good-bg: #0f3d1f; --good-fg: #7ee2a0; --warn-bg: #3d2e00; --warn-fg: #f2cc60; --bad-bg: #4c0f17; --bad-fg: #ffa198;
    --busy-bg: #0c2d6b; --busy-fg: #a5d6ff; --idle-bg: #262c36; --idle-fg: #c9d1d9;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
a { color: var(--link); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: .5rem 2rem; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { margin: 0; font-size: 1.25rem; }
nav ul { display: flex; gap: 1rem; margin: 0; padding: 0; list-style: none; }
.status-line { margin: 0 0 0 auto; color: var(--muted); font-size: .875rem; }
button, select { font: inherit; padding: .2rem .6rem; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
button { cursor: pointer; }
main { padding: 1rem 1.5rem 3rem; max-width: 110rem; }
main:focus { outline: none; }
h2 { font-size: 1.125rem; margin: 1.25rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: .5rem; z-index: 1; background: var(--bg); padding: .25rem .5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.meta { color: var(--muted); font-size: .875rem; }
.id { display: block; font-weight: normal; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; margin: 0 0 .75rem; padding: 0; list-style: none; }
.count { font-variant-numeric: tabular-nums; }
.controls { margin: .25rem 0 .75rem; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .8125rem; font-weight: 600; white-space: nowrap; }
.tone-good { background: var(--good-bg); color: var(--good-fg); }
.tone-warn { background: var(--warn-bg); color: var(--warn-fg); }
.tone-bad { background: var(--bad-bg); color: var(--bad-fg); }
.tone-busy { background: var(--busy-bg); color: var(--busy-fg); }
.tone-idle { background: var(--idle-bg); color: var(--idle-fg); }
.reason { margin: .25rem 0 0; color: var(--bad-fg); font-size: .875rem; max-width: 40rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
caption { text-align: left; color: var(--muted); padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem; border-bottom: 1px solid var(--line); }
thead th { background: var(--panel); font-size: .8125rem; }
td.num { font-variant-numeric: tabular-nums; }
td.empty { color: var(--muted); text-align: center; }
.endpoint { white-space: nowrap; }
code { font: .8125rem ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.digest { margin-left: .35rem; color: var(--muted); white-space: nowrap; }
.timeline { list-style: none; margin: 0; padding: 0 0 0 1rem; border-left: 3px solid var(--line); }
.timeline > li { margin: 0 0 1rem; padding-left: .75rem; }
.timeline h3 { margin: 0; }
.progress { margin: .15rem 0; }
.stages { list-style: none; margin: .25rem 0; padding: 0; }
.stages > li { display: flex; gap: .75rem; align-items: baseline; margin: .2rem 0; }
.stage { min-width: 4.5rem; font-size: .8125rem; font-weight: 600; color: var(--muted); }
.chips { display: flex; flex-wrap: wrap; gap: .35rem; margin: 0; padding: 0; list-style: none; }
.chip { padding: 0 .5rem; border-radius: 6px; font-size: .8125rem; }
.chip a { color: inherit; font-weight: 600; }
.problems { margin: .25rem 0; padding-left: 1.25rem; color: var(--bad-fg); font-size: .875rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .5rem 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
`;
