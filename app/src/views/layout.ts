import { escapeHtml, html, trustedHtml } from './html.ts';
import type { SafeHtml } from './html.ts';

export interface Flash {
  readonly kind: 'success' | 'error';
  readonly message: string;
}

/** What every page shows around its content. */
export interface PageContext {
  readonly usState: string;
  readonly tenantId: string;
  /** The request's path, to mark the current page in the navigation. */
  readonly path: string;
  readonly stylesheetUrl: string;
  readonly scriptUrl: string;
  readonly flash?: Flash | undefined;
  /** Who the load balancer signed in, shown with a way to sign out. */
  readonly signedInAs?: string | undefined;
  /** Pre-fills the search box on result pages. */
  readonly searchText?: string | undefined;
}

const NAVIGATION = [
  { href: '/employees', label: 'Employees', current: (path: string) => path === '/employees' || /^\/employees\/(?!new$)[^/]+/.test(path) },
  { href: '/employees/new', label: 'Add employee', current: (path: string) => path === '/employees/new' },
];

/** Everything around a page's title, search text and content: the same for every request of a tenant but for the current page. */
interface Chrome {
  readonly beforeTitle: string;
  readonly afterTitle: string;
  readonly afterSearch: string;
  readonly afterSignedIn: string;
  readonly footer: string;
}

/** Built once per tenant, stylesheet and current navigation item (a handful per process): a page costs a few concatenations. */
const chromes = new Map<string, Chrome>();

function chromeFor(context: PageContext): Chrome {
  const current = NAVIGATION.findIndex((item) => item.current(context.path));
  const key = `${context.usState}\u0000${context.stylesheetUrl}\u0000${context.scriptUrl}\u0000${current}`;
  let chrome = chromes.get(key);
  if (!chrome) {
    const SEARCH = '\u0000search\u0000';
    const TITLE = '\u0000title\u0000';
    const CONTENT = '\u0000content\u0000';
    const SIGNED_IN = '\u0000signed-in\u0000';
    const navigation = NAVIGATION.map((item, index) => {
      const isCurrent = index === current;
      return html`<li class="usa-nav__primary-item"><a href="${item.href}" class="usa-nav-link${isCurrent ? ' usa-current' : ''}"${isCurrent ? html` aria-current="page"` : ''}><span>${item.label}</span></a></li>`;
    });
    const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${trustedHtml(TITLE)} · HumanGov · State of ${context.usState}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${context.stylesheetUrl}">
<script src="${context.scriptUrl}" defer></script>
</head>
<body>
<a class="usa-skipnav" href="#main-content">Skip to main content</a>
<div class="usa-overlay"></div>
<header class="usa-header usa-header--basic">
  <div class="usa-nav-container">
    <div class="usa-navbar">
      <div class="usa-logo"><em class="usa-logo__text"><a href="/">HumanGov <span class="hg-logo-state">State of ${context.usState}</span></a></em></div>
      <button type="button" class="usa-menu-btn">Menu</button>
    </div>
    <nav aria-label="Primary" class="usa-nav">
      <button type="button" class="usa-nav__close"><img src="/assets/img/usa-icons/close.svg" alt="Close menu"></button>
      <ul class="usa-nav__primary usa-accordion">
        ${navigation}
      </ul>
      <section aria-label="Search employees">
        <form class="usa-search usa-search--small" role="search" action="/employees" method="get">
          <label class="usa-sr-only" for="search-field">Search employees by first or last name</label>
          <input class="usa-input" id="search-field" type="search" name="q" value="${trustedHtml(SEARCH)}" maxlength="100">
          <button class="usa-button" type="submit"><img src="/assets/img/usa-icons-bg/search--white.svg" class="usa-search__submit-icon" alt="Search"></button>
        </form>
      </section>
      ${trustedHtml(SIGNED_IN)}
    </nav>
  </div>
</header>
<main id="main-content" tabindex="-1">
<div class="grid-container hg-main">
${trustedHtml(CONTENT)}
</div>
</main>
<footer class="usa-identifier">
  <section class="usa-identifier__section usa-identifier__section--masthead" aria-label="Agency identifier">
    <div class="usa-identifier__container">
      <section class="usa-identifier__identity" aria-label="Agency description">
        <p class="usa-identifier__identity-domain">HumanGov</p>
        <p class="usa-identifier__identity-disclaimer">The Human Resources Management System of the State of ${context.usState}</p>
      </section>
    </div>
  </section>
</footer>
</body>
</html>
`.html;
    const [beforeTitle = '', rest = ''] = page.split(TITLE);
    const [afterTitle = '', rest2 = ''] = rest.split(SEARCH);
    const [afterSearch = '', rest3 = ''] = rest2.split(SIGNED_IN);
    const [afterSignedIn = '', footer = ''] = rest3.split(CONTENT);
    chrome = { beforeTitle, afterTitle, afterSearch, afterSignedIn, footer };
    chromes.set(key, chrome);
  }
  return chrome;
}

/**
 * The USWDS page: skip link, basic header (its navigation collapses into a menu on small
 * screens), the content in <main>, and the identifier naming who runs the site.
 */
export function layout(context: PageContext, title: string, content: SafeHtml): SafeHtml {
  const chrome = chromeFor(context);
  const flash = context.flash
    ? html`<div class="usa-alert usa-alert--${context.flash.kind} usa-alert--slim" role="status"><div class="usa-alert__body"><p class="usa-alert__text">${context.flash.message}</p></div></div>\n`
        .html
    : '';
  return trustedHtml(
    chrome.beforeTitle +
      escapeHtml(title) +
      chrome.afterTitle +
      escapeHtml(context.searchText ?? '') +
      chrome.afterSearch +
      (context.signedInAs
        ? html`<p class="hg-signed-in">Signed in as <strong>${context.signedInAs}</strong> <a class="usa-link" href="/sign-out">Sign out</a></p>`.html
        : '') +
      chrome.afterSignedIn +
      flash +
      content.html +
      chrome.footer,
  );
}

export function errorPage(context: PageContext, statusCode: number, message: string): SafeHtml {
  const title = statusCode === 404 ? 'Page not found' : statusCode >= 500 ? 'Something went wrong' : 'Request refused';
  return layout(
    context,
    title,
    html`<h1>${title}</h1>
<p class="usa-intro">${message}</p>
<ul class="usa-button-group">
  <li class="usa-button-group__item"><a class="usa-button" href="/employees">Back to employees</a></li>
  <li class="usa-button-group__item"><a class="usa-button usa-button--outline" href="/">Home</a></li>
</ul>`,
  );
}
