// Pure: whether a deploy target is a file in a Unity Catalog volume (`/Volumes/<catalog>/<schema>/<volume>/...`),
// written and read through the Files API rather than the Workspace or DBFS APIs.

export function isVolumeTarget(target: string): boolean {
  return target.startsWith('/Volumes/');
}
