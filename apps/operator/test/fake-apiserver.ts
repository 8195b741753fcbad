/**
 * An in-memory Kubernetes API server on node:http, so that the REAL @kubernetes/client-node (KubeConfig, typed APIs,
 * informers' list+watch, patches, `/status` and `/scale` calls) runs over HTTP in tests (ARCHITECTURE.md, "What runs
 * where": no kube-apiserver can be had on these machines).
 *
 * What it implements, following the Kubernetes API concepts doc (kubernetes.io/docs/reference/using-api/api-concepts)
 * and the API conventions (sig-architecture/api-conventions.md):
 * - paths `/api/v1/...` and `/apis/<group>/<version>/...`, namespaced (`/namespaces/<ns>/<plural>[/<name>[/<sub>]]`)
 *   and all-namespaces collections (`/<plural>`); built-in statefulsets, services, leases, plus CRDs you register;
 * - get; list (items + `metadata.resourceVersion`, `labelSelector` with `=`, `==`, `!=`, `key`, `!key`);
 * - watch (`?watch=true&resourceVersion=N`): headers flushed at once, newline-delimited JSON events on a chunked
 *   stream, replay of the events after N; N older than the compacted window -> an `ERROR` event with a 410 `Expired`
 *   Status and the stream ends (what the real server does); no N -> synthetic ADDED events then live events;
 * - create (POST), replace (PUT), JSON merge patch (RFC 7386) and JSON patch (RFC 6902) on the object, `/status` and
 *   `/scale` (autoscaling/v1 Scale mapped through the CRD's scale paths); optimistic concurrency: a stale
 *   `metadata.resourceVersion` -> 409 Conflict; status changes ignored on the main resource of types with a status
 *   subresource; `metadata.generation` bumped on spec changes; no-op writes do not bump the resourceVersion;
 *   structural-schema defaults of registered CRDs applied on writes;
 * - delete: with finalizers, sets `deletionTimestamp` and waits until an update removes the last finalizer; then the
 *   object goes and the garbage collector deletes its dependents (objects whose ownerReferences name its uid);
 * - authentication by bearer token (the token is the user name) and an optional authorizer over request attributes
 *   (verb, apiGroup, resource, subresource, namespace, name), to run a client under real RBAC rules;
 * - test controls: direct reads/writes of the store, dropping every watch stream, expiring resource versions
 *   (410 on the next resume), one-shot interceptors that run before a matching request, and a request log.
 * Not implemented: strategic merge patch and server-side apply (415), field selectors, deletecollection, pagination,
 * schema validation beyond defaults, admission.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A JSON object as stored. */
export type Obj = { [key: string]: unknown } & { metadata?: Meta };
interface Meta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  finalizers?: string[];
  labels?: Record<string, string>;
  ownerReferences?: Array<{ uid: string; name: string; kind: string; apiVersion: string }>;
  [key: string]: unknown;
}

/** A resource type served by the fake. */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /** whether a `/status` subresource exists (then the main resource ignores status changes) */
  status: boolean;
  /** `/scale` subresource paths (dotted, as in a CRD) */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  /** openAPIV3Schema, for defaulting */
  schema?: Record<string, unknown>;
}

/** Kubernetes authorization attributes of one request (RBAC's view of it). */
export interface RequestAttributes {
  user: string;
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

/** One handled request, as recorded in {@link FakeApiServer.requests} (method `ADMISSION` for an admission check). */
export interface RequestRecord extends RequestAttributes {
  /** the bearer token the request carried */
  token: string;
  method: string;
  path: string;
  status: number;
}

/** What an interceptor may do: nothing (let the request through), or answer with an error Status. */
export type InterceptResult = void | { code: number; reason: string; message: string };

interface Interceptor {
  match: (a: RequestAttributes) => boolean;
  action: (a: RequestAttributes) => InterceptResult | Promise<InterceptResult>;
  remaining: number;
  fired: () => void;
}

interface WatchEvent {
  rv: number;
  typeKey: string;
  namespace: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
}

interface Watcher {
  typeKey: string;
  namespace: string | undefined;
  selector: Selector;
  res: ServerResponse;
}

/** Who made a request (for admission checks). */
interface Caller {
  attrs: RequestAttributes;
  token: string;
  url: URL;
}

type Selector = Array<{ key: string; op: '=' | '!=' | 'exists' | '!exists'; value?: string }>;

/** An API error with its Status reason. */
class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const clone = <T>(x: T): T => (x === undefined ? x : (JSON.parse(JSON.stringify(x)) as T));
const nowTime = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}
function sortKeys(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(sortKeys);
  if (x && typeof x === 'object') {
    return Object.fromEntries(
      Object.keys(x)
        .sort()
        .map((k) => [k, sortKeys((x as Record<string, unknown>)[k])]),
    );
  }
  return x;
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test). @throws ApiError 422 on a failed op */
export function jsonPatch(doc: unknown, ops: Array<{ op: string; path: string; value?: unknown; from?: string }>): unknown {
  let root = clone(doc);
  const parse = (ptr: string): string[] => {
    if (ptr === '') return [];
    if (!ptr.startsWith('/')) throw new ApiError(422, 'Invalid', `bad JSON pointer ${ptr}`);
    return ptr
      .slice(1)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  };
  const parentOf = (ptr: string): { parent: Record<string, unknown> | unknown[]; key: string } => {
    const parts = parse(ptr);
    const key = parts.pop();
    if (key === undefined) throw new ApiError(422, 'Invalid', 'cannot address the root');
    let cur: unknown = root;
    for (const p of parts) {
      cur = Array.isArray(cur) ? cur[Number(p)] : (cur as Record<string, unknown> | undefined)?.[p];
      if (cur === undefined || cur === null || typeof cur !== 'object') throw new ApiError(422, 'Invalid', `path ${ptr} does not exist`);
    }
    return { parent: cur as Record<string, unknown> | unknown[], key };
  };
  const get = (ptr: string): unknown => {
    let cur: unknown = root;
    for (const p of parse(ptr)) cur = Array.isArray(cur) ? cur[Number(p)] : (cur as Record<string, unknown> | undefined)?.[p];
    return cur;
  };
  const add = (ptr: string, value: unknown): void => {
    if (ptr === '') {
      root = clone(value);
      return;
    }
    const { parent, key } = parentOf(ptr);
    if (Array.isArray(parent)) {
      const i = key === '-' ? parent.length : Number(key);
      if (!(i >= 0 && i <= parent.length)) throw new ApiError(422, 'Invalid', `index ${key} out of range at ${ptr}`);
      parent.splice(i, 0, clone(value));
    } else parent[key] = clone(value);
  };
  const remove = (ptr: string): void => {
    const { parent, key } = parentOf(ptr);
    if (Array.isArray(parent)) {
      const i = Number(key);
      if (!(i >= 0 && i < parent.length)) throw new ApiError(422, 'Invalid', `index ${key} out of range at ${ptr}`);
      parent.splice(i, 1);
    } else {
      if (!(key in parent)) throw new ApiError(422, 'Invalid', `path ${ptr} does not exist`);
      delete parent[key];
    }
  };
  for (const op of ops) {
    switch (op.op) {
      case 'add':
        add(op.path, op.value);
        break;
      case 'remove':
        remove(op.path);
        break;
      case 'replace':
        remove(op.path);
        add(op.path, op.value);
        break;
      case 'move': {
        const v = get(op.from ?? '');
        remove(op.from ?? '');
        add(op.path, v);
        break;
      }
      case 'copy':
        add(op.path, get(op.from ?? ''));
        break;
      case 'test':
        if (!deepEqual(get(op.path), op.value)) throw new ApiError(422, 'Invalid', `test operation failed at ${op.path}`);
        break;
      default:
        throw new ApiError(422, 'Invalid', `unknown JSON patch op ${op.op}`);
    }
  }
  return root;
}

/** Applies structural-schema `default`s to a value (as the API server does on read and write of a custom resource). */
function applyDefaults(value: unknown, schema: Record<string, unknown> | undefined): unknown {
  if (!schema || !value || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => applyDefaults(v, schema.items as Record<string, unknown> | undefined));
  const props = schema.properties as Record<string, Record<string, unknown>> | undefined;
  if (!props) return value;
  const out = { ...(value as Record<string, unknown>) };
  for (const [k, sub] of Object.entries(props)) {
    if (out[k] === undefined && sub.default !== undefined) out[k] = clone(sub.default);
    if (out[k] !== undefined) out[k] = applyDefaults(out[k], sub);
  }
  return out;
}

function getPath(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const p of dotted.replace(/^\./, '').split('.')) cur = (cur as Record<string, unknown> | undefined)?.[p];
  return cur;
}
function setPath(obj: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.replace(/^\./, '').split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (!cur[p] || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

function parseSelector(raw: string | null): Selector {
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((term) => {
      let m = /^([^!=]+)!=(.*)$/.exec(term);
      if (m) return { key: m[1].trim(), op: '!=' as const, value: m[2].trim() };
      m = /^([^!=]+)==?(.*)$/.exec(term);
      if (m) return { key: m[1].trim(), op: '=' as const, value: m[2].trim() };
      if (term.startsWith('!')) return { key: term.slice(1).trim(), op: '!exists' as const };
      return { key: term, op: 'exists' as const };
    });
}
function matches(sel: Selector, obj: Obj): boolean {
  const labels = obj.metadata?.labels ?? {};
  return sel.every((t) => {
    const has = Object.prototype.hasOwnProperty.call(labels, t.key);
    switch (t.op) {
      case '=':
        return has && labels[t.key] === t.value;
      case '!=':
        return !has || labels[t.key] !== t.value;
      case 'exists':
        return has;
      case '!exists':
        return !has;
    }
    return false;
  });
}

/** Built-in resource types. */
const BUILTIN: ResourceType[] = [
  {
    group: 'apps',
    version: 'v1',
    plural: 'statefulsets',
    kind: 'StatefulSet',
    namespaced: true,
    status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
  },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true, status: true },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true, status: false },
];

const typeKeyOf = (t: { group: string; plural: string }): string => `${t.group}/${t.plural}`;

/** The fake API server. Start with {@link FakeApiServer.start}; `url` is what a kubeconfig's cluster.server takes. */
export class FakeApiServer {
  /** Every handled request, in order. */
  readonly requests: RequestRecord[] = [];
  /** Counters: watch streams opened, 410 answers sent, list requests. */
  readonly stats = { watches: 0, gone: 0, lists: 0 };
  /** Decides whether a user may make a request; default: everyone may do everything. */
  authorize: (a: RequestAttributes) => boolean = () => true;
  /** Bearer token -> user name (authentication); a token not listed authenticates as itself. */
  users: Record<string, string> = {};

  private readonly types = new Map<string, ResourceType>();
  private readonly store = new Map<string, Obj>();
  private readonly log: WatchEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly interceptors: Interceptor[] = [];
  private rv = 1000;
  /** events with rv <= compacted are gone; resuming a watch from before it answers 410 */
  private compacted = 1000;

  private constructor(
    private readonly server: Server,
    /** Base URL, e.g. http://127.0.0.1:41234 */
    readonly url: string,
  ) {
    for (const t of BUILTIN) this.types.set(typeKeyOf(t), t);
  }

  /** Starts a server on 127.0.0.1 on a free port. */
  static async start(): Promise<FakeApiServer> {
    const holder: { self?: FakeApiServer } = {};
    const server = createServer((req, res) => {
      void holder.self?.handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.self = new FakeApiServer(server, `http://127.0.0.1:${port}`);
    return holder.self;
  }

  /** Serves the custom resource of a CRD object (apiextensions.k8s.io/v1; the first served version). */
  registerCrd(crd: {
    spec: {
      group: string;
      scope: string;
      names: { plural: string; kind: string };
      versions: Array<{ name: string; subresources?: { status?: object; scale?: ResourceType['scale'] }; schema?: { openAPIV3Schema: Record<string, unknown> } }>;
    };
  }): void {
    const v = crd.spec.versions[0];
    const t: ResourceType = {
      group: crd.spec.group,
      version: v.name,
      plural: crd.spec.names.plural,
      kind: crd.spec.names.kind,
      namespaced: crd.spec.scope === 'Namespaced',
      status: !!v.subresources?.status,
      scale: v.subresources?.scale,
      schema: v.schema?.openAPIV3Schema,
    };
    this.types.set(typeKeyOf(t), t);
  }

  /** Stops the server and ends every open stream. */
  async close(): Promise<void> {
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- test controls

  /** A copy of a stored object, or undefined. `group` '' for the core group. */
  get(group: string, plural: string, namespace: string, name: string): Obj | undefined {
    return clone(this.store.get(this.key(typeKeyOf({ group, plural }), namespace, name)));
  }

  /** Copies of every stored object of a type. */
  list(group: string, plural: string, namespace?: string): Obj[] {
    const tk = typeKeyOf({ group, plural });
    return [...this.store.entries()].filter(([k]) => k.startsWith(`${tk}|${namespace === undefined ? '' : namespace + '|'}`)).map(([, o]) => clone(o));
  }

  /**
   * Changes a stored object as a client's update would (bumps resourceVersion, emits MODIFIED, honours finalizers),
   * bypassing authorization. With `subresource: 'status'` only status changes are kept.
   * @throws Error when the object does not exist
   */
  mutate(group: string, plural: string, namespace: string, name: string, fn: (o: Obj) => void, subresource = ''): Obj {
    const t = this.type(group, plural);
    const cur = this.store.get(this.key(typeKeyOf(t), namespace, name));
    if (!cur) throw new Error(`${plural} ${namespace}/${name} not found`);
    const next = clone(cur);
    fn(next);
    return clone(this.update(t, namespace, name, next, subresource));
  }

  /**
   * Ends every open watch stream, as a watch timeout or an API server shutdown would (the chunked response ends
   * cleanly); with `abrupt`, resets the connections instead (a crash or a network failure: the client sees an error).
   */
  dropWatches(abrupt = false): void {
    for (const w of this.watchers) {
      if (abrupt) w.res.destroy();
      else w.res.end();
    }
    this.watchers.clear();
  }

  /**
   * Ends every watch stream, then applies `mutate` (whose events no current watcher receives), then compacts the event
   * history: every watcher that resumes from a resource version it had gets 410 Gone and must relist.
   */
  expireWatches(mutate?: () => void): void {
    this.dropWatches();
    mutate?.();
    this.rv++; // an event of some other type: every informer's last-seen version is now older than the window
    this.compacted = this.rv;
    this.log.length = 0;
  }

  /**
   * Runs `action` before the next `times` requests that `match` (before authorization and handling); it may change
   * the store (e.g. to make the request's resourceVersion stale) or return an error Status to answer with.
   * Resolves once all `times` have fired.
   */
  intercept(match: (a: RequestAttributes) => boolean, action: Interceptor['action'], times = 1): Promise<void> {
    return new Promise<void>((resolve) => this.interceptors.push({ match, action, remaining: times, fired: resolve }));
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const user = token ? (this.users[token] ?? token) : 'system:anonymous';
    let attrs: RequestAttributes | undefined;
    let status = 200;
    try {
      const route = this.route(url.pathname);
      const isWatch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
      const verb = ((): RequestAttributes['verb'] => {
        switch (req.method) {
          case 'GET':
            return route.name ? 'get' : isWatch ? 'watch' : 'list';
          case 'POST':
            return 'create';
          case 'PUT':
            return 'update';
          case 'PATCH':
            return 'patch';
          case 'DELETE':
            return route.name ? 'delete' : 'deletecollection';
          default:
            throw new ApiError(405, 'MethodNotAllowed', `method ${req.method} not allowed`);
        }
      })();
      attrs = { user, verb, apiGroup: route.type.group, resource: route.type.plural, subresource: route.sub, namespace: route.namespace ?? '', name: route.name ?? '' };
      const body = await readBody(req);
      for (const ic of [...this.interceptors]) {
        if (ic.remaining > 0 && ic.match(attrs)) {
          ic.remaining--;
          if (ic.remaining === 0) this.interceptors.splice(this.interceptors.indexOf(ic), 1);
          const r = await ic.action(attrs);
          if (ic.remaining === 0) ic.fired();
          if (r) throw new ApiError(r.code, r.reason, r.message);
        }
      }
      if (!this.authorize(attrs)) {
        throw new ApiError(
          403,
          'Forbidden',
          `${route.type.plural}${route.sub ? '/' + route.sub : ''} is forbidden: User "${user}" cannot ${verb} resource "${route.type.plural}" in API group "${route.type.group}"${route.namespace ? ` in the namespace "${route.namespace}"` : ''}`,
        );
      }
      if (verb === 'watch') {
        this.record(attrs, token, req.method ?? '', url, 200);
        this.watch(route.type, route.namespace, url, res);
        return;
      }
      const caller = { attrs, token, url };
      const out = this.dispatch(verb, route, url, body, String(req.headers['content-type'] ?? ''), caller);
      status = out.code ?? 200;
      send(res, status, out.body);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, 'InternalError', err instanceof Error ? err.message : String(err));
      status = e.code;
      send(res, e.code, statusObject(e.code, e.reason, e.message));
    }
    if (attrs) this.record(attrs, token, req.method ?? '', url, status);
  }

  private record(a: RequestAttributes, token: string, method: string, url: URL, status: number): void {
    this.requests.push({ ...a, token, method, path: url.pathname + url.search, status });
  }

  /**
   * The OwnerReferencesPermissionEnforcement admission plugin: setting `blockOwnerDeletion` on a reference needs
   * `update` on the owner's `finalizers` subresource (kubernetes.io/docs/reference/access-authn-authz/admission-controllers).
   */
  private admitOwnerReferences(caller: Caller | undefined, obj: Obj, before: Obj | undefined): void {
    if (!caller) return;
    const old = new Set((before?.metadata?.ownerReferences ?? []).filter((r) => (r as { blockOwnerDeletion?: boolean }).blockOwnerDeletion).map((r) => r.uid));
    for (const ref of obj.metadata?.ownerReferences ?? []) {
      if (!(ref as { blockOwnerDeletion?: boolean }).blockOwnerDeletion || old.has(ref.uid)) continue;
      const ownerType = [...this.types.values()].find((t) => t.kind === ref.kind && apiVersionOf(t) === ref.apiVersion);
      if (!ownerType) continue;
      const a: RequestAttributes = {
        user: caller.attrs.user,
        verb: 'update',
        apiGroup: ownerType.group,
        resource: ownerType.plural,
        subresource: 'finalizers',
        namespace: caller.attrs.namespace,
        name: ref.name,
      };
      const ok = this.authorize(a);
      this.record(a, caller.token, 'ADMISSION', caller.url, ok ? 200 : 403);
      if (!ok) {
        throw new ApiError(
          403,
          'Forbidden',
          `cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: User "${a.user}" cannot update resource "${a.resource}/finalizers"`,
        );
      }
    }
  }

  private route(path: string): { type: ResourceType; namespace?: string; name?: string; sub: string } {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    let group: string;
    let rest: string[];
    if (parts[0] === 'api' && parts[1] === 'v1') {
      group = '';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1];
      rest = parts.slice(3);
    } else throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${path})`);
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type = this.types.get(typeKeyOf({ group, plural: rest[0] ?? '' }));
    if (!type || rest.length > 3) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${path})`);
    const sub = rest[2] ?? '';
    if (sub && !(sub === 'status' && type.status) && !(sub === 'scale' && type.scale)) throw new ApiError(404, 'NotFound', `no subresource ${sub} on ${type.plural}`);
    if (rest[1] && type.namespaced && namespace === undefined) throw new ApiError(404, 'NotFound', `${type.plural} is namespaced`);
    return { type, namespace, name: rest[1], sub };
  }

  private dispatch(
    verb: RequestAttributes['verb'],
    route: { type: ResourceType; namespace?: string; name?: string; sub: string },
    url: URL,
    body: string,
    contentType: string,
    caller: Caller,
  ): { code?: number; body: unknown } {
    const { type: t, sub } = route;
    const ns = route.namespace ?? '';
    const name = route.name ?? '';
    switch (verb) {
      case 'list': {
        this.stats.lists++;
        const sel = parseSelector(url.searchParams.get('labelSelector'));
        const items = this.objectsOf(t, route.namespace).filter((o) => matches(sel, o));
        return { body: { apiVersion: apiVersionOf(t), kind: `${t.kind}List`, metadata: { resourceVersion: String(this.rv) }, items: clone(items) } };
      }
      case 'get': {
        const cur = this.mustGet(t, ns, name);
        return { body: sub === 'scale' ? this.scaleOf(t, cur) : clone(cur) };
      }
      case 'create': {
        if (sub) throw new ApiError(405, 'MethodNotAllowed', 'create on a subresource');
        return { code: 201, body: clone(this.create(t, ns, parseJson(body), caller)) };
      }
      case 'update': {
        const obj = parseJson(body);
        if (sub === 'scale') return { body: this.scaleOf(t, this.applyScale(t, ns, name, obj)) };
        return { body: clone(this.update(t, ns, name, obj, sub, caller)) };
      }
      case 'patch': {
        const cur = this.mustGet(t, ns, name);
        const base = sub === 'scale' ? this.scaleOf(t, cur) : clone(cur);
        let patched: Obj;
        const ct = contentType.split(';')[0].trim();
        if (ct === 'application/merge-patch+json') patched = mergePatch(base, parseJson(body)) as Obj;
        else if (ct === 'application/json-patch+json') patched = jsonPatch(base, JSON.parse(body || '[]')) as Obj;
        else throw new ApiError(415, 'UnsupportedMediaType', `the fake API server does not support patch type ${ct}`);
        if (sub === 'scale') return { body: this.scaleOf(t, this.applyScale(t, ns, name, patched)) };
        return { body: clone(this.update(t, ns, name, patched, sub, caller)) };
      }
      case 'delete':
        return { body: clone(this.delete(t, ns, name)) };
      default:
        throw new ApiError(405, 'MethodNotAllowed', `${verb} is not supported by the fake API server`);
    }
  }

  // ---------------------------------------------------------------- storage semantics

  private key(typeKey: string, namespace: string, name: string): string {
    return `${typeKey}|${namespace}|${name}`;
  }

  private type(group: string, plural: string): ResourceType {
    const t = this.types.get(typeKeyOf({ group, plural }));
    if (!t) throw new Error(`unknown resource ${group}/${plural}`);
    return t;
  }

  private objectsOf(t: ResourceType, namespace: string | undefined): Obj[] {
    const prefix = `${typeKeyOf(t)}|${namespace === undefined ? '' : namespace + '|'}`;
    return [...this.store.entries()].filter(([k]) => k.startsWith(prefix)).map(([, o]) => o);
  }

  private mustGet(t: ResourceType, ns: string, name: string): Obj {
    const cur = this.store.get(this.key(typeKeyOf(t), ns, name));
    if (!cur) throw new ApiError(404, 'NotFound', `${t.plural}.${t.group || 'core'} "${name}" not found`);
    return cur;
  }

  private create(t: ResourceType, ns: string, body: Obj, caller?: Caller): Obj {
    const meta: Meta = { ...(body.metadata ?? {}) };
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomUUID().slice(0, 5);
    if (!meta.name) throw new ApiError(422, 'Invalid', 'metadata.name: Required value');
    if (t.namespaced && meta.namespace && meta.namespace !== ns) throw new ApiError(400, 'BadRequest', 'the namespace of the object does not match the namespace of the request');
    const k = this.key(typeKeyOf(t), ns, meta.name);
    if (this.store.has(k)) throw new ApiError(409, 'AlreadyExists', `${t.plural}.${t.group || 'core'} "${meta.name}" already exists`);
    this.admitOwnerReferences(caller, body, undefined);
    const obj: Obj = { ...clone(body), apiVersion: apiVersionOf(t), kind: t.kind };
    if (t.status) delete obj.status;
    delete meta.deletionTimestamp;
    obj.metadata = { ...meta, namespace: t.namespaced ? ns : undefined, uid: randomUUID(), generation: 1, creationTimestamp: nowTime(), resourceVersion: String(++this.rv) };
    const stored = this.defaulted(t, obj);
    this.store.set(k, stored);
    this.emit(t, ns, 'ADDED', stored);
    return stored;
  }

  /** PUT semantics for the object (`sub` '') or its status (`sub` 'status'). */
  private update(t: ResourceType, ns: string, name: string, body: Obj, sub: string, caller?: Caller): Obj {
    const k = this.key(typeKeyOf(t), ns, name);
    const cur = this.mustGet(t, ns, name);
    const bodyRv = body.metadata?.resourceVersion;
    if (bodyRv !== undefined && bodyRv !== '' && bodyRv !== cur.metadata?.resourceVersion) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${t.plural}.${t.group || 'core'} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    if (body.metadata?.name !== undefined && body.metadata.name !== name) throw new ApiError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    let next: Obj;
    if (sub === 'status') {
      next = { ...clone(cur), status: clone(body.status) };
    } else {
      next = { ...clone(body), apiVersion: apiVersionOf(t), kind: t.kind };
      if (t.status) next.status = clone(cur.status);
      const cm = cur.metadata ?? {};
      next.metadata = {
        ...(clone(body.metadata) ?? {}),
        name,
        namespace: cm.namespace,
        uid: cm.uid,
        creationTimestamp: cm.creationTimestamp,
        deletionTimestamp: cm.deletionTimestamp,
        generation: cm.generation,
        resourceVersion: cm.resourceVersion,
      };
      if (cm.deletionTimestamp === undefined) delete next.metadata.deletionTimestamp;
      if (next.metadata.finalizers?.length === 0) delete next.metadata.finalizers;
    }
    if (next.status === undefined) delete next.status;
    next = this.defaulted(t, next);
    if (deepEqual(next, cur)) return cur; // no-op: no new resourceVersion, no event
    if (sub !== 'status') this.admitOwnerReferences(caller, next, cur);
    const specOf = (o: Obj): unknown => Object.fromEntries(Object.entries(o).filter(([key]) => key !== 'metadata' && key !== 'status'));
    if (!deepEqual(specOf(next), specOf(cur))) next.metadata = { ...next.metadata, generation: (cur.metadata?.generation ?? 1) + 1 };
    next.metadata = { ...next.metadata, resourceVersion: String(++this.rv) };
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
      this.store.delete(k);
      this.emit(t, ns, 'DELETED', next);
      this.collectGarbage(next.metadata.uid ?? '');
      return next;
    }
    this.store.set(k, next);
    this.emit(t, ns, 'MODIFIED', next);
    return next;
  }

  private delete(t: ResourceType, ns: string, name: string): Obj {
    const k = this.key(typeKeyOf(t), ns, name);
    const cur = this.mustGet(t, ns, name);
    if (cur.metadata?.finalizers?.length) {
      if (cur.metadata.deletionTimestamp) return cur;
      const next = clone(cur);
      next.metadata = { ...next.metadata, deletionTimestamp: nowTime(), deletionGracePeriodSeconds: 0, resourceVersion: String(++this.rv) };
      this.store.set(k, next);
      this.emit(t, ns, 'MODIFIED', next);
      return next;
    }
    this.store.delete(k);
    const gone = { ...clone(cur), metadata: { ...cur.metadata, resourceVersion: String(++this.rv) } };
    this.emit(t, ns, 'DELETED', gone);
    this.collectGarbage(cur.metadata?.uid ?? '');
    return gone;
  }

  /** Background cascading deletion: every object owned by `uid` is deleted (honouring its own finalizers). */
  private collectGarbage(uid: string): void {
    setImmediate(() => {
      for (const [k, o] of [...this.store.entries()]) {
        if (!o.metadata?.ownerReferences?.some((r) => r.uid === uid)) continue;
        const [typeKey, ns, name] = k.split('|');
        const t = this.types.get(typeKey);
        if (t && this.store.has(k)) this.delete(t, ns, name);
      }
    });
  }

  private scaleOf(t: ResourceType, o: Obj): Obj {
    const s = t.scale;
    if (!s) throw new ApiError(404, 'NotFound', 'no scale subresource');
    const m = o.metadata ?? {};
    const selector = s.labelSelectorPath ? getPath(o, s.labelSelectorPath) : undefined;
    return {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
      spec: { replicas: (getPath(o, s.specReplicasPath) as number | undefined) ?? 0 },
      status: { replicas: (getPath(o, s.statusReplicasPath) as number | undefined) ?? 0, ...(selector !== undefined ? { selector } : {}) },
    };
  }

  private applyScale(t: ResourceType, ns: string, name: string, scale: Obj): Obj {
    const cur = this.mustGet(t, ns, name);
    const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) throw new ApiError(422, 'Invalid', 'spec.replicas: must be a non-negative integer');
    const next = clone(cur);
    setPath(next as Record<string, unknown>, t.scale?.specReplicasPath ?? '.spec.replicas', replicas);
    next.metadata = { ...next.metadata, resourceVersion: scale.metadata?.resourceVersion || cur.metadata?.resourceVersion };
    return this.update(t, ns, name, next, '');
  }

  private defaulted(t: ResourceType, o: Obj): Obj {
    return t.schema ? (applyDefaults(o, t.schema) as Obj) : o;
  }

  // ---------------------------------------------------------------- watch

  private emit(t: ResourceType, ns: string, type: WatchEvent['type'], obj: Obj): void {
    const ev: WatchEvent = { rv: Number(obj.metadata?.resourceVersion), typeKey: typeKeyOf(t), namespace: ns, type, object: clone(obj) };
    this.log.push(ev);
    if (this.log.length > 20000) {
      const dropped = this.log.splice(0, 10000);
      this.compacted = dropped[dropped.length - 1].rv;
    }
    for (const w of this.watchers) this.deliver(w, ev);
  }

  private deliver(w: Watcher, ev: WatchEvent): void {
    if (ev.typeKey !== w.typeKey) return;
    if (w.namespace !== undefined && ev.namespace !== w.namespace) return;
    if (!matches(w.selector, ev.object)) return;
    w.res.write(JSON.stringify({ type: ev.type, object: ev.object }) + '\n');
  }

  private watch(t: ResourceType, namespace: string | undefined, url: URL, res: ServerResponse): void {
    this.stats.watches++;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const w: Watcher = { typeKey: typeKeyOf(t), namespace, selector: parseSelector(url.searchParams.get('labelSelector')), res };
    const rvParam = url.searchParams.get('resourceVersion');
    if (rvParam && rvParam !== '0') {
      const from = Number(rvParam);
      if (!Number.isFinite(from) || from < this.compacted) {
        this.stats.gone++;
        res.end(JSON.stringify({ type: 'ERROR', object: statusObject(410, 'Expired', `too old resource version: ${rvParam} (${this.compacted})`) }) + '\n');
        return;
      }
      for (const ev of this.log) if (ev.rv > from) this.deliver(w, ev);
    } else {
      for (const o of this.objectsOf(t, namespace)) this.deliver(w, { rv: 0, typeKey: w.typeKey, namespace: o.metadata?.namespace ?? '', type: 'ADDED', object: clone(o) });
    }
    this.watchers.add(w);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      this.watchers.delete(w);
    });
  }
}

function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** A metav1.Status for an error. */
function statusObject(code: number, reason: string, message: string): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function parseJson(body: string): Obj {
  try {
    const v = JSON.parse(body || '{}') as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Obj;
  } catch (e) {
    throw new ApiError(400, 'BadRequest', `invalid JSON body: ${(e as Error).message}`);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
