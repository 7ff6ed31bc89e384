// A module resolve hook (node:module register): the conformance CLI's `import ... from "fs"`
// resolves to fs-with-glob.mjs; every other import resolves as usual.
const SHIM = new URL('./fs-with-glob.mjs', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (
    (specifier === 'fs' || specifier === 'node:fs') &&
    context.parentURL?.includes('/@modelcontextprotocol/conformance/')
  )
    return { url: SHIM, shortCircuit: true };
  return next(specifier, context);
}
