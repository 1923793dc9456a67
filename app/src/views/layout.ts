import { html } from './html.ts';
import type { SafeHtml } from './html.ts';

export interface Flash {
  readonly kind: 'success' | 'error';
  readonly message: string;
}

/** What every page shows around its content. */
export interface PageContext {
  readonly usState: string;
  readonly tenantId: string;
  readonly flash?: Flash | undefined;
  /** Pre-fills the search box on result pages. */
  readonly searchText?: string | undefined;
}

export function layout(context: PageContext, title: string, content: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · HumanGov · State of ${context.usState}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<header class="topbar">
  <div class="wrap">
    <a class="brand" href="/">HumanGov<span>State of ${context.usState}</span></a>
    <nav aria-label="Main">
      <a href="/employees">Employees</a>
      <a href="/employees/new">Add employee</a>
    </nav>
    <form class="search" action="/employees" method="get" role="search">
      <input type="search" name="q" value="${context.searchText ?? ''}" placeholder="Search first or last name" aria-label="Search employees by first or last name" maxlength="100">
      <button type="submit">Search</button>
    </form>
  </div>
</header>
<main class="wrap">
${context.flash ? html`<div class="flash ${context.flash.kind}" role="status">${context.flash.message}</div>` : ''}
${content}
</main>
<footer class="wrap">Human Resources Management System · State of ${context.usState}</footer>
</body>
</html>
`;
}

export function errorPage(context: PageContext, statusCode: number, message: string): SafeHtml {
  const title = statusCode === 404 ? 'Not found' : statusCode >= 500 ? 'Something went wrong' : 'Request refused';
  return layout(
    context,
    title,
    html`<section class="card">
  <h1>${title}</h1>
  <p class="lede">${message}</p>
  <div class="actions"><a class="button" href="/employees">Back to employees</a><a class="button secondary" href="/">Home</a></div>
</section>`,
  );
}
