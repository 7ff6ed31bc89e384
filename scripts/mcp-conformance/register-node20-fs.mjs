// `node --import` this to run the conformance CLI on Node 20 (see node20-fs-hook.mjs).
import { register } from 'node:module';

if (!('globSync' in (await import('node:fs')))) register('./node20-fs-hook.mjs', import.meta.url);
