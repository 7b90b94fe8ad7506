// What each role may do, as the server's policy grants it (src/accounts/policy.cc), so the
// screens offer only what the caller can use. The server checks every request anyway.
import type { Role } from './api';

export type Capability = 'read_data' | 'write_data' | 'submit' | 'approve' | 'read_audit' | 'lock' | 'manage_users';

const entry: Capability[] = ['read_data', 'write_data', 'submit'];
const review: Capability[] = ['read_data', 'approve', 'read_audit'];

const grants: Record<Role, readonly Capability[]> = {
  commune_entry: entry,
  district_reviewer: review,
  province_admin: [...entry, ...review, 'lock', 'manage_users'],
  viewer: ['read_data'],
};

export function can(role: Role, capability: Capability): boolean {
  return grants[role]?.includes(capability) ?? false;
}
