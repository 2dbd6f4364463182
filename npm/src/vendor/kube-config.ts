/**
 * @kubernetes/client-node's KubeConfig, the one part of the client the host uses. Its module
 * imports the client's generated API (about 800 ES modules); Node resolving, reading and
 * compiling them one by one cost a bootstrap ~1 s of CPU and ~55 MiB (bench/bootstrap.mjs). The
 * package build (scripts/bundle-vendor.mjs) replaces this file's output with one esbuild bundle
 * of the same module; a tsc-only build keeps this plain re-export, which behaves the same.
 */
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
