/**
 * The dashboard's HTML: a static USWDS shell with no data in it (the client fills it), no
 * inline script or style (the CSP forbids both), and relative URLs so it works under whatever
 * base the API is served from.
 */
import { CLOSE_ICON } from './uswds-css.ts';

/** `version` busts caches of the script and styles when their content changes. */
export function dashboardPage(version: string): string {
  const v = encodeURIComponent(version);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>HumanGov fleet</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="dashboard/app.css?v=${v}">
<script type="module" src="dashboard/app.js?v=${v}"></script>
</head>
<body>
<a class="usa-skipnav" href="#main">Skip to main content</a>
<div class="usa-overlay"></div>
<header class="usa-header usa-header--basic">
  <div class="usa-nav-container">
    <div class="usa-navbar">
      <div class="usa-logo"><em class="usa-logo__text"><a href="#/">HumanGov fleet</a></em></div>
      <button type="button" class="usa-menu-btn" id="menu-open" aria-controls="dashboard-nav" aria-expanded="false">Menu</button>
    </div>
    <nav aria-label="Dashboard" class="usa-nav" id="dashboard-nav">
      <button type="button" class="usa-nav__close" id="menu-close"><img src="${CLOSE_ICON}" alt="Close menu"></button>
      <ul class="usa-nav__primary usa-accordion">
        <li class="usa-nav__primary-item"><a class="usa-nav-link" href="#/" data-view="tenants"><span>Tenants</span></a></li>
        <li class="usa-nav__primary-item"><a class="usa-nav-link" href="#/deployments" data-view="deployments"><span>Deployments</span></a></li>
      </ul>
    </nav>
  </div>
</header>
<main id="main" tabindex="-1">
<div class="hg-container">
  <div id="connection"></div>
  <p class="status-line"><span id="updated">Loading…</span> <button id="refresh" type="button" class="usa-button usa-button--outline usa-button--small">Refresh now</button></p>
  <div id="overview">
    <section aria-labelledby="tenants-heading">
      <h2 id="tenants-heading" tabindex="-1">Tenants</h2>
      <ul id="status-counts" class="counts" aria-label="Tenants per status"></ul>
      <div class="controls">
        <label class="usa-label" for="status-filter">Show</label>
        <select class="usa-select" id="status-filter"><option value="ALL">All statuses</option></select>
      </div>
      <div id="fleet" class="scroll" role="region" aria-labelledby="tenants-heading" tabindex="0"></div>
    </section>
    <section aria-labelledby="deployments-heading">
      <h2 id="deployments-heading" tabindex="-1">Deployments</h2>
      <div id="deployments"></div>
    </section>
  </div>
  <div id="tenant-page" hidden></div>
</div>
</main>
<footer class="usa-identifier">
  <section class="usa-identifier__section usa-identifier__section--masthead" aria-label="Agency identifier">
    <div class="usa-identifier__container">
      <section class="usa-identifier__identity" aria-label="Agency description">
        <p class="usa-identifier__identity-domain">HumanGov control plane</p>
        <p class="usa-identifier__identity-disclaimer">The fleet of state HumanGov tenants, for its operators</p>
      </section>
    </div>
  </section>
</footer>
<div id="announcer" class="usa-sr-only" role="status" aria-live="polite"></div>
<noscript><p>The dashboard needs JavaScript. The same data is JSON at <a href="tenants">tenants</a> and <a href="deployments">deployments</a>.</p></noscript>
</body>
</html>
`;
}
