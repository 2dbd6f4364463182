/**
 * The `yaml` package's parser (72 ES modules), bundled into one file by the package build like
 * kube-config.ts: the kube client reads each applied document's head with it.
 */
export { parse } from 'yaml';
