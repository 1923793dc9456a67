/**
 * What the dashboard's routes serve besides JSON: its script and its stylesheet (USWDS, 141 KB).
 * The status API loads this module on the first request for the page or an asset, not at import:
 * most of its calls are JSON (the CLI, the dashboard's own polling), and in AWS a deploy ships
 * this in a file of its own beside the handler (scripts/serverless/esbuild-plugins.cjs), so a
 * cold start that serves JSON does not read it.
 */
export { clientScript } from './client.ts';
export { DASHBOARD_CSS } from './styles.ts';
