/**
 * The whole stylesheet, served from /assets/app.css so the CSP can forbid inline styles too.
 * No external fonts or CDNs: a tenant's pages load only from the tenant's own origin.
 */
export const STYLESHEET = `
:root {
  --ink: #1c2430; --muted: #5b6676; --line: #dde2ea; --page: #f4f6f9; --card: #fff;
  --brand: #1f4e8c; --brand-dark: #173b6a; --accent: #e8eef7;
  --ok-bg: #e7f5ec; --ok-ink: #1d6b3a; --err-bg: #fdecec; --err-ink: #a12622;
  --radius: 10px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: var(--page);
}
* { box-sizing: border-box; }
body { margin: 0; line-height: 1.5; }
a { color: var(--brand); }
.wrap { max-width: 1040px; margin: 0 auto; padding: 0 20px; }
.topbar { background: var(--brand); color: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
.topbar .wrap { display: flex; align-items: center; gap: 24px; min-height: 64px; flex-wrap: wrap; }
.brand { color: #fff; text-decoration: none; font-weight: 700; font-size: 1.1rem; letter-spacing: .02em; }
.brand span { display: block; font-weight: 400; font-size: .8rem; opacity: .85; }
.topbar nav { display: flex; gap: 16px; }
.topbar nav a { color: #fff; text-decoration: none; opacity: .9; }
.topbar nav a:hover { opacity: 1; text-decoration: underline; }
.search { margin-left: auto; display: flex; gap: 6px; }
.search input { border: 0; border-radius: 6px; padding: 8px 10px; min-width: 240px; font: inherit; }
.search button { background: var(--brand-dark); color: #fff; border: 1px solid rgba(255,255,255,.35); }
main.wrap { padding-top: 28px; padding-bottom: 40px; }
h1 { font-size: 1.6rem; margin: 0 0 6px; }
h2 { font-size: 1.2rem; margin: 0 0 12px; }
.lede { color: var(--muted); margin: 0 0 24px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 24px; margin-bottom: 20px; }
.grid { display: grid; gap: 20px; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); }
.page-head { display: flex; align-items: flex-end; justify-content: space-between; gap: 16px; margin-bottom: 18px; flex-wrap: wrap; }
button, .button {
  display: inline-block; font: inherit; font-weight: 600; cursor: pointer; text-decoration: none;
  border-radius: 6px; padding: 8px 16px; border: 1px solid var(--brand); background: var(--brand); color: #fff;
}
button:hover, .button:hover { background: var(--brand-dark); }
.button.secondary, button.secondary { background: #fff; color: var(--brand); }
.button.danger, button.danger { background: var(--err-ink); border-color: var(--err-ink); color: #fff; }
table { width: 100%; border-collapse: collapse; background: var(--card); }
.table-card { padding: 0; overflow-x: auto; }
th, td { text-align: left; padding: 12px 16px; border-bottom: 1px solid var(--line); }
th { font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); background: #fafbfd; }
tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.actions { display: flex; gap: 10px; flex-wrap: wrap; align-items: center; }
.pager { display: flex; justify-content: space-between; align-items: center; margin-top: 14px; color: var(--muted); }
.empty { text-align: center; color: var(--muted); padding: 40px 16px; }
.flash { border-radius: var(--radius); padding: 12px 16px; margin-bottom: 20px; font-weight: 500; }
.flash.success { background: var(--ok-bg); color: var(--ok-ink); }
.flash.error { background: var(--err-bg); color: var(--err-ink); }
form.stacked { display: grid; gap: 16px; max-width: 560px; }
label { display: block; font-weight: 600; margin-bottom: 4px; }
.hint { color: var(--muted); font-size: .85rem; font-weight: 400; }
input[type=text], input[type=number], input[type=file] {
  width: 100%; font: inherit; padding: 9px 11px; border: 1px solid var(--line); border-radius: 6px; background: #fff;
}
input:focus { outline: 2px solid var(--brand); outline-offset: 1px; }
.field-error { color: var(--err-ink); font-size: .875rem; margin-top: 4px; }
.invalid input { border-color: var(--err-ink); }
dl.details { display: grid; grid-template-columns: 180px 1fr; gap: 10px 16px; margin: 0 0 20px; }
dl.details dt { color: var(--muted); }
dl.details dd { margin: 0; }
.stat { font-size: 2rem; font-weight: 700; color: var(--brand); }
footer.wrap { color: var(--muted); font-size: .8rem; padding-bottom: 28px; }
@media (max-width: 640px) { .search { margin-left: 0; width: 100%; } .search input { min-width: 0; flex: 1; } dl.details { grid-template-columns: 1fr; } }
`;
