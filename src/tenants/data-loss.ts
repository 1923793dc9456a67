/**
 * A tenant's table or bucket gone while its record names it: its personnel data is lost from
 * where the app reads it. Neither the reconciler nor onboarding makes an empty one in its place
 * and calls the tenant ACTIVE; both say this, and starting empty is the person's own act: a
 * retry forgets the names first (TenantRepository.forgetDataStores).
 */

export interface GoneStores {
  /** The table's name, when it is the one gone. */
  table?: string;
  /** The bucket's name, when it is the one gone. */
  bucket?: string;
}

export function dataStoreGoneReason(tenantId: string, gone: GoneStores): string {
  const stores = [
    ...(gone.table ? [`its table ${gone.table} (its employee records)`] : []),
    ...(gone.bucket ? [`its bucket ${gone.bucket} (its scanned ID documents)`] : []),
  ];
  const many = stores.length > 1;
  return (
    `${stores.join(' and ')} ${many ? 'are' : 'is'} gone: restore ${many ? 'them' : 'it'} under the same name from a backup ` +
    `(DynamoDB point-in-time recovery keeps one of a deleted table; AWS Backup, if it covers them) and the reconciler brings the tenant back; ` +
    `humangov tenant retry ${tenantId} (POST /tenants/${tenantId}/retry) instead starts it again with an empty store`
  );
}
