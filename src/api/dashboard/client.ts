/**
 * The browser script, made from the client factories' own text.
 *
 * Why not read a file at startup: in AWS this handler is one minified esbuild
 * bundle (serverless.yml), where a path beside this source means nothing. A
 * function's text, though, is what Node gives back with its types stripped
 * (Node runs .ts natively). esbuild would rewrite it, so a bundle gets this
 * function's result as text, made by Node when it is bundled
 * (scripts/serverless/esbuild-plugins.cjs): the same script `npm start` serves.
 * Each factory therefore uses only its arguments and browser globals, never
 * anything from its module; test/dashboard/client-script.test.ts holds them to
 * that, and test/dashboard/browser.test.ts runs the bundle's script in Chromium.
 * No front-end build step, and the client stays typed and unit-tested.
 */
import { dashboardApp } from './app.ts';
import { deploymentsView } from './deployments-view.ts';
import { dashboardDom } from './dom.ts';
import { fleetView } from './fleet-view.ts';
import { dashboardLogic } from './logic.ts';
import { tenantView } from './tenant-view.ts';

export function clientScript(): string {
  return `// HumanGov fleet dashboard, from src/api/dashboard/*.ts (see client.ts there).
const logic = (${dashboardLogic.toString()})();
const dom = (${dashboardDom.toString()})(document, logic);
(${dashboardApp.toString()})({
  logic,
  dom,
  fleet: (${fleetView.toString()})(logic, dom),
  deployments: (${deploymentsView.toString()})(logic, dom),
  tenant: (${tenantView.toString()})(logic, dom),
  window,
  document,
});
`;
}
