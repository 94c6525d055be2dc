// Test infrastructure: what loadSettings refuses in a set of app settings, as its SettingsError lists it.
import { loadSettings, SettingsError } from '../../../src/config/loadSettings';

/** Every problem loadSettings finds in `values`, or [] when it accepts them. */
export function problemsOf(values: Record<string, string | undefined>): string[] {
  try {
    loadSettings(values);
    return [];
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
}
