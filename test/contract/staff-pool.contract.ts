/**
 * The StaffPoolPort contract (src/cloud/ports.ts): each tenant has an app client of its own, found
 * again (never made twice) by every ensure, allowed exactly the tenant's callback URL; tenants
 * onboarded at the same time never lose each other's client or URL; deleting a missing client or
 * group is done; a group is made once and kept; an outage is transient.
 */
import { describe, expect, it } from '@jest/globals';
import { TransientCloudError } from '../../src/cloud/errors.ts';
import type { StaffPoolPort } from '../../src/cloud/ports.ts';
import { closedAfterEach, type Factory, type Subject } from './support.ts';

export interface StaffPoolSubject extends Subject<StaffPoolPort> {
  /** The callback URLs of the client with this id, or undefined when the pool has no such client. */
  callbackUrls(clientId: string): Promise<readonly string[] | undefined>;
  /** How many clients the pool holds. */
  clientCount(): Promise<number>;
  groups(): Promise<string[]>;
}

const callback = (tenantId: string, domain = 'humangov.test') => `https://${tenantId}.${domain}/oauth2/idpresponse`;

export function staffPoolContract(implementation: string, make: Factory<StaffPoolSubject>, outage?: Factory<Subject<StaffPoolPort>>): void {
  describe(`StaffPoolPort contract: ${implementation}`, () => {
    const using = closedAfterEach();
    const open = (): Promise<StaffPoolSubject> => using(make());

    it("ensures a tenant's client once, allowed only the tenant's callback URL, and another tenant's apart", async () => {
      const { port, callbackUrls, clientCount } = await open();

      const ca = await port.ensureTenantClient({ tenantId: 'ca', callbackUrl: callback('ca') });
      const again = await port.ensureTenantClient({ tenantId: 'ca', callbackUrl: callback('ca') });
      const tx = await port.ensureTenantClient({ tenantId: 'tx', callbackUrl: callback('tx') });

      expect(again).toEqual(ca);
      expect(tx.clientId).not.toBe(ca.clientId);
      expect(await callbackUrls(ca.clientId)).toEqual([callback('ca')]);
      expect(await callbackUrls(tx.clientId)).toEqual([callback('tx')]);
      expect(await clientCount()).toBe(2);
    });

    it('brings an existing client to a new callback URL under the same id (the tenant domain changed)', async () => {
      const { port, callbackUrls } = await open();

      const { clientId } = await port.ensureTenantClient({ tenantId: 'ca', callbackUrl: callback('ca') });
      const moved = await port.ensureTenantClient({ tenantId: 'ca', callbackUrl: callback('ca', 'states.example.gov') });

      expect(moved.clientId).toBe(clientId);
      expect(await callbackUrls(clientId)).toEqual([callback('ca', 'states.example.gov')]);
    });

    it("loses no tenant's client or URL when 50 tenants onboard at once", async () => {
      const { port, callbackUrls, clientCount } = await open();
      const tenants = Array.from({ length: 50 }, (_, i) => `t${i}`);

      const made = await Promise.all(tenants.map((tenantId) => port.ensureTenantClient({ tenantId, callbackUrl: callback(tenantId) })));

      expect(new Set(made.map((client) => client.clientId)).size).toBe(50);
      expect(await Promise.all(made.map((client) => callbackUrls(client.clientId)))).toEqual(tenants.map((tenantId) => [callback(tenantId)]));
      expect(await clientCount()).toBe(50);
      // Found again past the first page of a listing (Cognito pages by at most 60).
      expect(await port.ensureTenantClient({ tenantId: 't49', callbackUrl: callback('t49') })).toEqual(made[49]);
    });

    it('treats deleting a missing client, or deleting twice, as done, and ensures a client again after', async () => {
      const { port, callbackUrls, clientCount } = await open();

      await expect(port.deleteTenantClient('none')).resolves.toBeUndefined();
      const { clientId } = await port.ensureTenantClient({ tenantId: 'ca', callbackUrl: callback('ca') });
      await port.ensureTenantClient({ tenantId: 'tx', callbackUrl: callback('tx') });
      await port.deleteTenantClient('ca');
      await expect(port.deleteTenantClient('ca')).resolves.toBeUndefined();

      expect(await callbackUrls(clientId)).toBeUndefined();
      expect(await clientCount()).toBe(1);
      const again = await port.ensureTenantClient({ tenantId: 'ca', callbackUrl: callback('ca') });
      expect(await callbackUrls(again.clientId)).toEqual([callback('ca')]);
    });

    it("makes a state's group once, and treats deleting a missing group as done", async () => {
      const { port, groups } = await open();

      await port.ensureTenantGroup('ca');
      await port.ensureTenantGroup('ca');
      await port.ensureTenantGroup('tx');
      expect((await groups()).sort()).toEqual(['ca', 'tx']);

      await port.deleteTenantGroup('ca');
      await expect(port.deleteTenantGroup('ca')).resolves.toBeUndefined();
      expect(await groups()).toEqual(['tx']);
    });

    if (outage) {
      it('answers TransientCloudError while the service throttles', async () => {
        const { port } = await using(outage());

        await expect(port.ensureTenantClient({ tenantId: 'ca', callbackUrl: callback('ca') })).rejects.toBeInstanceOf(TransientCloudError);
        await expect(port.deleteTenantClient('ca')).rejects.toBeInstanceOf(TransientCloudError);
        await expect(port.ensureTenantGroup('ca')).rejects.toBeInstanceOf(TransientCloudError);
        await expect(port.deleteTenantGroup('ca')).rejects.toBeInstanceOf(TransientCloudError);
      });
    }
  });
}
