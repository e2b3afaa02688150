import { getConfig } from './config';

// Imported first by the entry point: throws a ConfigError naming every bad setting.
getConfig();
