import { startDashboard as startDashboardProcess, type DashboardHandle, type DashboardOptions } from '@samsa/cluster';
import { harnessProcessHooks } from './processes';

export type { DashboardHandle, DashboardOptions } from '@samsa/cluster';

/** The built samsa-dashboard for a test (@samsa/cluster's DashboardProcess), marked and tracked. */
export function startDashboard(options: DashboardOptions): Promise<DashboardHandle> {
  return startDashboardProcess({ ...harnessProcessHooks(), ...options });
}
