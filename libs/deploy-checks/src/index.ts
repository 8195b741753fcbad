/** Checks of the Helm chart and the plain manifests (charts/kalshi-platform, k8s/manifests). */
export * from './helm';
export * from './validate';
export * from './chart-check';
