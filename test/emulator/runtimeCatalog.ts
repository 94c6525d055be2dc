// Test infrastructure: the runtimes and node types one emulated Azure workspace offers, as
// `clusters/spark-versions` and `clusters/list-node-types` serve them; clusters/create and edit accept only these.
// A short real-looking subset (https://learn.microsoft.com/azure/databricks/release-notes/runtime/): the
// sample bundle, the test fixtures and the contract suite use 15.4.x-scala2.12 and Standard_DS3_v2/DS4_v2.
import type { JsonObject } from './JsonValue';

export const sparkVersions: readonly { key: string; name: string }[] = [
  { key: '13.3.x-scala2.12', name: '13.3 LTS (includes Apache Spark 3.4.1, Scala 2.12)' },
  { key: '14.3.x-scala2.12', name: '14.3 LTS (includes Apache Spark 3.5.0, Scala 2.12)' },
  { key: '15.4.x-scala2.12', name: '15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)' },
  { key: '15.4.x-cpu-ml-scala2.12', name: '15.4 LTS ML (includes Apache Spark 3.5.0, Scala 2.12)' },
  { key: '15.4.x-photon-scala2.12', name: '15.4 LTS Photon (includes Apache Spark 3.5.0, Scala 2.12)' },
  { key: '16.4.x-scala2.12', name: '16.4 LTS (includes Apache Spark 3.5.2, Scala 2.12)' },
];

const nodeType = (id: string, cores: number, memoryMb: number, category: string): JsonObject => ({
  node_type_id: id,
  instance_type_id: id,
  memory_mb: memoryMb,
  num_cores: cores,
  description: id,
  category,
  is_deprecated: false,
});

export const nodeTypes: readonly JsonObject[] = [
  nodeType('Standard_DS3_v2', 4, 14336, 'General Purpose'),
  nodeType('Standard_DS4_v2', 8, 28672, 'General Purpose'),
  nodeType('Standard_DS5_v2', 16, 57344, 'General Purpose'),
  nodeType('Standard_D4ds_v5', 4, 16384, 'General Purpose'),
  nodeType('Standard_E8ds_v4', 8, 65536, 'Memory Optimized'),
  nodeType('Standard_E64_v3', 64, 442368, 'Memory Optimized'),
  nodeType('Standard_F4s', 4, 8192, 'Compute Optimized'),
];

export function isSparkVersion(key: string): boolean {
  return sparkVersions.some((version) => version.key === key);
}

export function isNodeType(id: string): boolean {
  return nodeTypes.some((type) => type.node_type_id === id);
}
