#!/usr/bin/env node
// Placeholder CLI entry; the real argument parser lands with `install --export`.
import { installManifests } from '../index.js';

const args = process.argv.slice(2);
const manifestsIdx = args.findIndex((a) => a.startsWith('--manifests'));
const manifests = manifestsIdx >= 0 ? (args[manifestsIdx]!.split('=')[1] ?? args[manifestsIdx + 1]) : undefined;
const m = await installManifests({ manifests });
process.stdout.write(m.content);
