/** The state machines, by the name of the file each renders (statemachines/<name>.asl.json). */
import type { Machine } from './asl.ts';
import { imageDeploy } from './image-deploy.ts';
import { tenantOffboard } from './tenant-offboard.ts';
import { tenantOnboard } from './tenant-onboard.ts';

export const MACHINES = {
  'tenant-onboard': tenantOnboard,
  'tenant-offboard': tenantOffboard,
  'image-deploy': imageDeploy,
} as const satisfies Record<string, Machine>;
