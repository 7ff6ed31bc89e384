/**
 * `npm run package -- --env <name>`: builds appPackage/build/appPackage.<name>.zip, the Teams app
 * package for one environment, the way the Teams Toolkit's teamsApp/zipAppPackage does: every
 * `${{NAME}}` in appPackage/manifest.json is replaced by NAME's value from the environment's files
 * (and the process environment, which wins), and the manifest and both icons are zipped.
 *
 * The environment's files live where its Toolkit project file says (`environmentFolderPath` in
 * teamsapp.local.yml for `local`, teamsapp.yml otherwise): the Toolkit's `local` environment is
 * kept in env/teams/ so that its bot id never lands in env/.env.local, which `npm start` reads.
 * A placeholder without a value stops the build with the names that are missing.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseEnv } from 'node:util';
import yazl from 'yazl';

export const APP_PACKAGE_DIR = 'appPackage';
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export class PackageError extends Error {
  override name = 'PackageError';
}

/** Names of the placeholders in `text`, once each, in order of appearance. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** Replaces every `${{NAME}}`; throws PackageError naming all the placeholders with no value. */
export function fillPlaceholders(
  text: string,
  values: Record<string, string | undefined>,
  where = 'the environment',
): string {
  const missing = placeholdersIn(text).filter((name) => !values[name]);
  if (missing.length > 0) {
    throw new PackageError(
      `no value for ${missing.join(', ')} in ${where}: set ${missing.length > 1 ? 'them' : 'it'} (teamsapp provision writes them) and try again`,
    );
  }
  // JSON-escaped, so a value can never break the manifest's syntax.
  return text.replace(PLACEHOLDER, (_, name: string) => JSON.stringify(values[name]).slice(1, -1));
}

/** The folder holding env/.env.<name>, as the Toolkit project file for that environment says. */
export function environmentFolder(envName: string, root: string): string {
  const project = path.join(root, envName === 'local' ? 'teamsapp.local.yml' : 'teamsapp.yml');
  const folder = existsSync(project)
    ? /^environmentFolderPath:\s*(\S+)/m.exec(readFileSync(project, 'utf8'))?.[1]
    : undefined;
  return path.resolve(root, folder ?? 'env');
}

/** `.env.<name>` then `.env.<name>.user` from the environment's folder; the process environment wins. */
export function environmentValues(
  envName: string,
  root: string,
  processEnv: NodeJS.ProcessEnv = process.env,
): { values: Record<string, string | undefined>; where: string } {
  const folder = environmentFolder(envName, root);
  const file = path.join(folder, `.env.${envName}`);
  if (!existsSync(file))
    throw new PackageError(
      `no environment file ${path.relative(root, file)}: is "${envName}" an environment of this project?`,
    );
  const values: Record<string, string | undefined> = {};
  for (const f of [file, `${file}.user`])
    if (existsSync(f)) Object.assign(values, parseEnv(readFileSync(f, 'utf8')));
  for (const [name, value] of Object.entries(processEnv)) if (value) values[name] = value;
  return {
    values,
    where: `${path.relative(root, file)} (or its .user file, or the process environment)`,
  };
}

/** The manifest with this environment's values filled in, parsed. */
export function filledManifest(
  root: string,
  values: Record<string, string | undefined>,
  where?: string,
): Record<string, unknown> {
  const text = readFileSync(path.join(root, APP_PACKAGE_DIR, 'manifest.json'), 'utf8');
  return JSON.parse(fillPlaceholders(text, values, where)) as Record<string, unknown>;
}

/** Writes the zip and resolves with its path. */
export async function buildAppPackage(options: {
  envName: string;
  root?: string;
  processEnv?: NodeJS.ProcessEnv;
  outDir?: string;
}): Promise<string> {
  const root = options.root ?? process.cwd();
  if (!/^[a-z0-9-]+$/.test(options.envName))
    throw new PackageError(
      `--env ${JSON.stringify(options.envName)}: expected a lower-case environment name such as local or dev`,
    );
  const { values, where } = environmentValues(options.envName, root, options.processEnv);
  const manifest = filledManifest(root, values, where);
  const icons = manifest.icons as { color: string; outline: string };
  const outDir = options.outDir ?? path.join(root, APP_PACKAGE_DIR, 'build');
  mkdirSync(outDir, { recursive: true });
  const target = path.join(outDir, `appPackage.${options.envName}.zip`);

  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'manifest.json');
  for (const icon of [icons.color, icons.outline]) {
    const file = path.join(root, APP_PACKAGE_DIR, icon);
    if (!existsSync(file))
      throw new PackageError(
        `the manifest names icon ${icon}, but ${path.relative(root, file)} does not exist (npm run icons draws them)`,
      );
    zip.addFile(file, icon);
  }
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(target);
    out.on('close', resolve);
    out.on('error', reject);
    zip.outputStream.on('error', reject).pipe(out);
  });
  return target;
}

function envArgument(argv: string[]): string {
  const i = argv.findIndex((a) => a === '--env' || a.startsWith('--env='));
  if (i < 0) return 'dev';
  const value = argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
  if (!value) throw new PackageError('--env needs a name, e.g. --env dev');
  return value;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const target = await buildAppPackage({ envName: envArgument(process.argv.slice(2)) });
    console.log(`wrote ${path.relative(process.cwd(), target)}`);
  } catch (error) {
    if (!(error instanceof PackageError)) throw error;
    console.error(`package: ${error.message}`);
    process.exit(1);
  }
}
