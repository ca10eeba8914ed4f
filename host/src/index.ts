export { startHost, type RunningHost } from './start-host';
export { startWorker, type RunningWorker } from './start-worker';
export { seedFirstBoot, DEMO_TENANT } from './seed-first-boot';
export { loadEnvConfig, type HostConfig } from './config/env-config';
