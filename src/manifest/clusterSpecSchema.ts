// Pure: the `clusters/create` fields bricklane checks; every other field passes through to the API.
// https://learn.microsoft.com/azure/databricks/api/workspace/clusters/create
import { z } from 'zod';

const stringMap = z.record(z.string(), z.string());

export const clusterSpecSchema = z.looseObject({
  cluster_name: z.string().regex(/\S/, { error: 'must not be blank' }),
  spark_version: z.string().min(1),
  node_type_id: z.string().min(1).optional(),
  driver_node_type_id: z.string().min(1).optional(),
  instance_pool_id: z.string().min(1).optional(),
  driver_instance_pool_id: z.string().min(1).optional(),
  policy_id: z.string().min(1).optional(),
  num_workers: z.int().min(0).optional(),
  autoscale: z
    .strictObject({ min_workers: z.int().min(0), max_workers: z.int().min(1) })
    .refine((a) => a.max_workers >= a.min_workers, { error: 'must have max_workers >= min_workers' })
    .optional(),
  spark_conf: stringMap.optional(),
  spark_env_vars: stringMap.optional(),
  custom_tags: stringMap.optional(),
  init_scripts: z.array(z.unknown()).optional(),
  // 0 disables auto-termination; otherwise the API accepts 10 to 10000 minutes.
  autotermination_minutes: z
    .int()
    .refine((m) => m === 0 || (m >= 10 && m <= 10000), { error: 'must be 0 (never) or between 10 and 10000' })
    .optional(),
  ssh_public_keys: z.array(z.string()).optional(),
  enable_elastic_disk: z.boolean().optional(),
});
