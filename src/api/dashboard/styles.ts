/**
 * The dashboard's CSS, served as /dashboard/app.css: USWDS (uswds-css.ts, generated from
 * uswds.scss) and the few rules of the dashboard's own, in USWDS's colour tokens. A string in a
 * module rather than a file, for the reason client.ts gives: the Lambda bundle carries no files.
 * Colours are never the only signal (badges carry a word), and each tone pair keeps at least
 * 4.5:1 contrast.
 */
import { USWDS_CSS } from './uswds-css.ts';

const DASHBOARD_RULES = `
:root {
  --good-bg: #ecf3ec; --good-fg: #154c21; --warn-bg: #faf3d1; --warn-fg: #5c4809; --bad-bg: #f4e3db; --bad-fg: #9c1b0f;
  --busy-bg: #e7f6f8; --busy-fg: #07474f; --idle-bg: #f0f0f0; --idle-fg: #3d4551; --muted: #565c65; --line: #dfe1e2;
}
.hg-container { max-width: 100rem; margin: 0 auto; padding: 1rem 2rem 3rem; }
/* The header and the identifier line up with the content, which is wide for the fleet table. */
.usa-header--basic .usa-nav-container, .usa-identifier__container { max-width: 100rem; }
@media (max-width: 40em) { .hg-container { padding: 1rem 1rem 2rem; } }
main:focus { outline: none; }
.usa-header .usa-logo a { text-decoration: none; color: inherit; }
.status-line { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; margin: 0 0 1rem; color: var(--muted); }
.status-line .usa-button { margin: 0; }
h2 { margin: 1.5rem 0 .5rem; }
h3 { margin: 1rem 0 .4rem; }
.meta { color: var(--muted); font-size: .9rem; }
.id { display: block; font-weight: normal; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; margin: 0 0 .75rem; padding: 0; list-style: none; }
.count { font-variant-numeric: tabular-nums; }
.controls { display: flex; align-items: center; gap: .75rem; margin: .25rem 0 .75rem; }
.controls .usa-label, .controls .usa-select { margin: 0; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .875rem; font-weight: 700; white-space: nowrap; }
.tone-good { background: var(--good-bg); color: var(--good-fg); }
.tone-warn { background: var(--warn-bg); color: var(--warn-fg); }
.tone-bad { background: var(--bad-bg); color: var(--bad-fg); }
.tone-busy { background: var(--busy-bg); color: var(--busy-fg); }
.tone-idle { background: var(--idle-bg); color: var(--idle-fg); }
.usa-tag.canary { background: #1a4480; margin-left: .5rem; vertical-align: middle; }
/* What was read before the control plane stopped answering no longer claims to be current. */
.is-stale .badge, .is-stale .chip { background: var(--idle-bg); color: var(--idle-fg); }
.is-stale .usa-table, .is-stale .timeline { border-left: .25rem dashed #8d9297; padding-left: .5rem; }
.reason { margin: .25rem 0 0; color: var(--bad-fg); font-size: .9rem; max-width: 40rem; }
.scroll { overflow-x: auto; }
.usa-table { width: 100%; font-size: .95rem; margin-top: .5rem; }
.usa-table caption { font-weight: normal; color: var(--muted); }
.usa-table td.num { font-variant-numeric: tabular-nums; }
.usa-table td.empty { color: var(--muted); text-align: center; }
.endpoint { white-space: nowrap; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .875rem; }
.digest { margin-left: .35rem; color: var(--muted); white-space: nowrap; }
/* History: a time stays on its line, an execution id on one line of its own, the reason takes the rest. */
.history th:first-child, .history td:first-child { white-space: nowrap; width: 1%; }
.history td:nth-child(2), .history td:nth-child(3) { white-space: nowrap; }
.history td:last-child code { white-space: nowrap; }
.timeline { list-style: none; margin: 0; padding: 0 0 0 1rem; border-left: 3px solid var(--line); }
.timeline > li { margin: 0 0 1rem; padding-left: .75rem; }
.timeline h3 { margin: 0; }
.progress { margin: .15rem 0; }
.stages { list-style: none; margin: .25rem 0; padding: 0; }
.stages > li { display: flex; gap: .75rem; align-items: baseline; margin: .2rem 0; }
.stage { min-width: 4.5rem; font-size: .875rem; font-weight: 700; color: var(--muted); }
.chips { display: flex; flex-wrap: wrap; gap: .35rem; margin: 0; padding: 0; list-style: none; }
.chip { padding: 0 .5rem; border-radius: 6px; font-size: .875rem; }
.chip a { color: inherit; font-weight: 700; }
.problems { margin: .25rem 0; padding-left: 1.25rem; color: var(--bad-fg); font-size: .9rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .5rem 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; min-width: 0; }
.facts .digest { white-space: normal; overflow-wrap: anywhere; margin-left: 0; }
@media (max-width: 40em) { .facts { grid-template-columns: 1fr; } .facts dd { margin-bottom: .5rem; } }
.fix { margin: .5rem 0 0; }
.fix pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--idle-bg); padding: .5rem .75rem; margin: .25rem 0 0; }
.sort-button { all: unset; cursor: pointer; font-weight: 700; }
.sort-button:focus-visible { outline: .25rem solid #2491ff; outline-offset: .1rem; }
`;

export const DASHBOARD_CSS = `${USWDS_CSS}\n${DASHBOARD_RULES}`;
