/**
 * The dashboard's HTML: a static shell with no data in it (the client fills
 * it), no inline script or style (the CSP forbids both), and relative URLs so
 * it works under whatever base the API is served from.
 */

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
<a class="skip" href="#main">Skip to content</a>
<header>
  <h1>HumanGov fleet</h1>
  <nav aria-label="Dashboard">
    <ul>
      <li><a href="#/">Tenants</a></li>
      <li><a href="#/deployments">Deployments</a></li>
    </ul>
  </nav>
  <p class="status-line"><span id="updated">Loading…</span> <button id="refresh" type="button">Refresh now</button></p>
</header>
<main id="main" tabindex="-1">
  <div id="overview">
    <section aria-labelledby="tenants-heading">
      <h2 id="tenants-heading" tabindex="-1">Tenants</h2>
      <ul id="status-counts" class="counts" aria-label="Tenants per status"></ul>
      <p class="controls">
        <label for="status-filter">Show</label>
        <select id="status-filter"><option value="ALL">All statuses</option></select>
      </p>
      <div id="fleet" class="scroll" role="region" aria-labelledby="tenants-heading" tabindex="0"></div>
    </section>
    <section aria-labelledby="deployments-heading">
      <h2 id="deployments-heading" tabindex="-1">Deployments</h2>
      <div id="deployments"></div>
    </section>
  </div>
  <div id="tenant-page" hidden></div>
</main>
<div id="announcer" class="visually-hidden" role="status" aria-live="polite"></div>
<noscript><p>The dashboard needs JavaScript. The same data is JSON at <a href="tenants">tenants</a> and <a href="deployments">deployments</a>.</p></noscript>
</body>
</html>
`;
}
