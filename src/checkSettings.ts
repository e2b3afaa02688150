import { getConfig } from './config';

/** Throws a ConfigError naming every bad setting; run when the app starts. */
export function checkSettings(): void {
  getConfig();
}
