/**
 * The JSON the dashboard reads, typed from the very functions that write it
 * (src/api/views.ts), so a change of the API's shape breaks the client's
 * typecheck instead of the page. Type-only: nothing here reaches the browser.
 */
import type { InvalidField } from '../../tenants/errors.ts';
import type { deploymentDetail, deploymentSummary, tenantDetail, tenantSummary } from '../views.ts';

export type { InvalidField };

/** A tenant as GET /tenants lists it. `health.zones` is read when present (GET /tenants/{id} always has it). */
export type TenantSummary = ReturnType<typeof tenantSummary> & { health: { zones?: string[] } | null };
export type TenantDetail = ReturnType<typeof tenantDetail>;
export type DeploymentSummary = ReturnType<typeof deploymentSummary>;
export type DeploymentDetail = ReturnType<typeof deploymentDetail>;
export type TenantOutcome = DeploymentDetail['tenants'][number]['outcome'];
export type ImageView = NonNullable<TenantSummary['image']>;

export interface ListPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** A tenant's observed status, with `NEW` for a record the control plane has not picked up yet (status null). */
export type StatusKey = NonNullable<TenantSummary['status']> | 'NEW';

/** What the fleet view shows of a tenant: its summary, and the zones its detail told us when the summary has none. */
export interface FleetRow {
  tenant: TenantSummary;
  zones: string[] | null;
}

export type Route = { view: 'fleet'; focus: 'tenants' | 'deployments' } | { view: 'tenant'; tenantId: string };

/** How the fleet table is sorted: by name unless the person chooses a column. */
export interface FleetSort {
  column: 'name' | 'status' | 'updated';
  direction: 'ascending' | 'descending';
}
