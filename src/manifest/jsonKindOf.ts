// Pure: which bundle files validation needs parsed, so that the loader reads only those into memory.
import { OPTIONS_FILE } from './Bundle';

export function jsonKindOf(path: string): 'json' | 'jupyter' | undefined {
  if (path === OPTIONS_FILE || /^(clusters|jobs|secrets|policies)\/[^/]+\.json$/.test(path)) return 'json';
  if (/^notebooks\/.+\.ipynb$/i.test(path)) return 'jupyter';
  return undefined;
}
