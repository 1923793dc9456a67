/**
 * The staff the local identity provider knows: a few per state, each in the group of their state
 * (as the stack's Cognito user pool holds one group per state). Every seeded account has the same
 * password, shown on the login page: they guard nothing but a developer's own machine.
 */
export interface StaffMember {
  readonly username: string;
  readonly name: string;
  readonly email: string;
  /** Tenant ids whose staff this person is. */
  readonly groups: readonly string[];
}

export const LOCAL_STAFF_PASSWORD = 'humangov-local';

export const LOCAL_STAFF: readonly StaffMember[] = [
  { username: 'maria.ca', name: 'María García', email: 'maria.garcia@ca.example.gov', groups: ['ca'] },
  { username: 'jose.ca', name: 'José Romero', email: 'jose.romero@ca.example.gov', groups: ['ca'] },
  { username: 'sam.tx', name: 'Sam Houston', email: 'sam.houston@tx.example.gov', groups: ['tx'] },
  { username: 'ana.tx', name: 'Ana Flores', email: 'ana.flores@tx.example.gov', groups: ['tx'] },
  { username: 'lee.ny', name: 'Lee Park', email: 'lee.park@new-york.example.gov', groups: ['ny', 'new-york'] },
  { username: 'kim.wa', name: 'Kim Olsen', email: 'kim.olsen@wa.example.gov', groups: ['wa'] },
];

export function staffMember(username: string): StaffMember | undefined {
  return LOCAL_STAFF.find((member) => member.username === username);
}
