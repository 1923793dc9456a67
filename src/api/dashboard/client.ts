/**
 * The browser script, made from the client factories' own text.
 *
 * Why not read a file at startup: in AWS this handler is one minified esbuild
 * bundle (serverless.yml) that carries no files beside it, so a script read
 * from disk would be missing there. A function's text, though, travels inside
 * the bundle: Node gives it back with its types stripped (Node runs .ts
 * natively), esbuild gives it back compiled. Each factory therefore uses only
 * its arguments and browser globals, never anything from its module;
 * test/dashboard/client-script.test.ts holds them to that, in the bundle too.
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
