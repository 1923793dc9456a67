/**
 * What a person sees who opens the load balancer at a host no tenant is served at (a mistyped
 * state, a tenant not onboarded yet): which host was asked for, where tenants are, and a link to
 * the fleet dashboard. Self-contained (no asset to load from a tenant that does not exist), in
 * USWDS's colours and type scale. The page AWS serves in the same case is the listeners' default
 * fixed response in serverless.yml; it links nowhere internal.
 */
export interface UnknownTenantPageOptions {
  /** The Host header as received, port included. */
  readonly host: string;
  /** Where tenants are served, e.g. "<tenant id>.localhost:8080". */
  readonly tenantHosts: string;
  /** The fleet dashboard, when known. */
  readonly fleetUrl: string | undefined;
}

export function unknownTenantPage(options: UnknownTenantPageOptions): string {
  const host = escapeHtml(options.host || '(no host name)');
  const fleet = options.fleetUrl
    ? `<p><a href="${escapeHtml(options.fleetUrl)}">See the fleet dashboard</a>: every tenant with its address and status.</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>No tenant at ${host} · HumanGov</title>
<style>
body { margin: 0; font: 1.06rem/1.5 "Source Sans Pro", "Helvetica Neue", Helvetica, Roboto, Arial, sans-serif; color: #1b1b1b; }
main { max-width: 40rem; margin: 0 auto; padding: 2rem 1rem; }
h1 { font-size: 2.13rem; line-height: 1.2; margin: 0 0 1rem; }
code, strong { overflow-wrap: anywhere; }
a { color: #005ea2; }
a:focus { outline: .25rem solid #2491ff; outline-offset: 0; }
</style>
</head>
<body>
<main>
<h1>No HumanGov tenant is served at this address</h1>
<p>The load balancer received a request for <strong>${host}</strong>, and no tenant is served there: the state may not be onboarded yet, or the address is mistyped.</p>
<p>Tenants are served at <code>${escapeHtml(options.tenantHosts)}</code>.</p>
${fleet}
</main>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
