import { getConfig } from './config';
import { SettingsUnresolved } from './errors';

/**
 * Throws a ConfigError naming every bad setting; run when the app starts. Settings App Service
 * could not resolve from Key Vault do not stop the app (they may resolve after a restart): they are
 * reported through `report`, and every request answers 503 naming them until then.
 */
export function checkSettings(report: (line: string) => void): void {
  const { unresolved } = getConfig();
  if (unresolved.length) report(new SettingsUnresolved(unresolved).message);
}
