/**
 * The browser gets the client factories' own text (src/api/dashboard/client.ts).
 * These tests hold the factories to what that needs: valid JavaScript once
 * types are gone, and no reference to anything from their module.
 */
import { Script, runInNewContext } from 'node:vm';
import { describe, expect, it } from '@jest/globals';
import { labelled } from '../support/labelled.ts';
import { clientScript } from '../../src/api/dashboard/client.ts';
import { dashboardApp } from '../../src/api/dashboard/app.ts';
import { deploymentsView } from '../../src/api/dashboard/deployments-view.ts';
import { dashboardDom } from '../../src/api/dashboard/dom.ts';
import { fleetView } from '../../src/api/dashboard/fleet-view.ts';
import { dashboardLogic, type DashboardLogic } from '../../src/api/dashboard/logic.ts';
import { tenantView } from '../../src/api/dashboard/tenant-view.ts';

describe('the dashboard client script', () => {
  it('is plain JavaScript: it parses as a script, with no imports, exports or type syntax left', () => {
    const source = clientScript();
    expect(() => new Script(source, { filename: 'app.js' })).not.toThrow();
    expect(source).not.toMatch(/^\s*(import|export)\s/m);
  });

  it('stays light: under 64 KB as served, without minifying', () => {
    expect(Buffer.byteLength(clientScript())).toBeLessThan(64 * 1024);
  });

  it('builds each factory from its text alone, in a context with nothing of its module in it', () => {
    for (const factory of [dashboardLogic, dashboardDom, fleetView, deploymentsView, tenantView, dashboardApp]) {
      labelled(factory.name, () => expect(typeof runInNewContext(`(${factory.toString()})`, {})).toBe('function'));
    }
  });

  it('runs the logic from its own text as the browser does', () => {
    const logic = runInNewContext(`(${dashboardLogic.toString()})()`, { URL, URLSearchParams }) as DashboardLogic;
    expect(logic.relativeTime('2026-11-26T09:55:00Z', Date.parse('2026-11-26T10:00:00Z'))).toBe('5 min ago');
    expect(logic.countByStatus([{ status: 'FAILED' }, { status: null }])).toMatchObject({ FAILED: 1, NEW: 1, ACTIVE: 0 });
    expect(logic.safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(logic.parseRoute('', '?tenant=ca')).toEqual({ view: 'tenant', tenantId: 'ca' });
  });
});
