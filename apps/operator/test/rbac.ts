/**
 * A Kubernetes RBAC authorizer over manifests (kubernetes.io/docs/reference/access-authn-authz/rbac): Roles and
 * ClusterRoles, bound by RoleBindings (in their namespace) and ClusterRoleBindings (everywhere), to ServiceAccounts
 * (`system:serviceaccount:<ns>:<name>`) and Users; rules match apiGroups, resources (`res` or `res/sub`), verbs and
 * resourceNames, with `*` wildcards. Used to run the operator under k8s/rbac in the fake API server.
 */
import type { RequestAttributes } from './fake-apiserver';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}
type Doc = { kind?: string; metadata?: { name?: string; namespace?: string }; rules?: Rule[]; roleRef?: { kind: string; name: string }; subjects?: Array<{ kind: string; name: string; namespace?: string }> };

/** A granted permission: rule plus where it applies (undefined namespace: everywhere). */
export interface Grant {
  user: string;
  namespace?: string;
  rule: Rule;
}

/** The grants that the bindings in `docs` give. */
export function grantsOf(docs: Doc[]): Grant[] {
  const roles = new Map<string, Rule[]>();
  for (const d of docs) {
    if (d.kind === 'ClusterRole') roles.set(`ClusterRole/${d.metadata?.name}`, d.rules ?? []);
    if (d.kind === 'Role') roles.set(`Role/${d.metadata?.namespace}/${d.metadata?.name}`, d.rules ?? []);
  }
  const grants: Grant[] = [];
  for (const d of docs) {
    if (d.kind !== 'RoleBinding' && d.kind !== 'ClusterRoleBinding') continue;
    const ns = d.kind === 'RoleBinding' ? d.metadata?.namespace : undefined;
    const ref = d.roleRef;
    const rules = ref?.kind === 'ClusterRole' ? roles.get(`ClusterRole/${ref.name}`) : roles.get(`Role/${ns}/${ref?.name}`);
    for (const s of d.subjects ?? []) {
      const user = s.kind === 'ServiceAccount' ? `system:serviceaccount:${s.namespace ?? ns}:${s.name}` : s.name;
      for (const rule of rules ?? []) grants.push({ user, namespace: ns, rule });
    }
  }
  return grants;
}

/** Whether a rule covers a request. */
export function ruleAllows(rule: Rule, a: RequestAttributes): boolean {
  const has = (list: string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (!has(rule.apiGroups, a.apiGroup) || !has(rule.resources, resource) || !has(rule.verbs, a.verb)) return false;
  return !rule.resourceNames?.length || rule.resourceNames.includes(a.name);
}

/** An authorizer: allowed when some grant of the user in that namespace (or everywhere) covers the request. */
export function rbacAuthorizer(docs: Doc[]): (a: RequestAttributes) => boolean {
  const grants = grantsOf(docs);
  return (a) => grants.some((g) => g.user === a.user && (g.namespace === undefined || g.namespace === a.namespace) && ruleAllows(g.rule, a));
}
