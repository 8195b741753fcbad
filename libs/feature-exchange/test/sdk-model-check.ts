/**
 * Conformance of JSON bodies to the official Kalshi TypeScript SDK's models (npm `kalshi-typescript`, generated from
 * Kalshi's OpenAPI): the model files under `node_modules/kalshi-typescript/models/*.ts` are read with the TypeScript
 * compiler API (syntax only, no type checker), and every exported interface becomes a list of properties with their
 * optionality and type; `export const X = {...} as const` + `export type X = typeof X[keyof typeof X]` pairs become
 * enums. A JSON value is then checked recursively:
 * - every required property is present (absent = problem; `null` only where the type admits `| null`);
 * - every present property has the JSON type of its declaration (`string`, `number`, `boolean`, arrays, nested
 *   models, `{ [key: string]: T }`, `object`, unions), and enum values are among the enum's members;
 * - properties the model does not declare are allowed (Kalshi adds fields before the SDK catches up).
 *
 * Usage: `checkAgainstSdkModel('GetMarketsResponse', body)` -> `[]` when conformant, else one line per problem
 * naming the JSON path (`markets[3].yes_bid_dollars: expected string, got number`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

/** A declared type, reduced to what JSON can carry. */
export type TypeSpec =
  | { kind: 'string' | 'number' | 'boolean' | 'any' | 'null' | 'object' }
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'array'; element: TypeSpec }
  | { kind: 'record'; value: TypeSpec }
  | { kind: 'inline'; props: SdkProperty[] }
  | { kind: 'ref'; name: string }
  | { kind: 'union'; options: TypeSpec[] };

/** One property of an SDK model interface. */
export interface SdkProperty {
  name: string;
  optional: boolean;
  type: TypeSpec;
}

interface ModelIndex {
  interfaces: Map<string, SdkProperty[]>;
  enums: Map<string, Array<string | number>>;
  aliases: Map<string, TypeSpec>;
}

let cached: ModelIndex | null = null;

/** Directory of the SDK's model sources. */
export function sdkModelsDir(): string {
  try {
    return join(dirname(require.resolve('kalshi-typescript/package.json')), 'models');
  } catch {
    return resolve(__dirname, '../../../node_modules/kalshi-typescript/models');
  }
}

function propName(n: ts.PropertyName): string {
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n)) return n.text;
  return n.getText();
}

function toSpec(node: ts.TypeNode): TypeSpec {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { kind: 'string' };
    case ts.SyntaxKind.NumberKeyword:
    case ts.SyntaxKind.BigIntKeyword:
      return { kind: 'number' };
    case ts.SyntaxKind.BooleanKeyword:
      return { kind: 'boolean' };
    case ts.SyntaxKind.ObjectKeyword:
      return { kind: 'object' };
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
      return { kind: 'any' };
    case ts.SyntaxKind.NullKeyword:
      return { kind: 'null' };
  }
  if (ts.isParenthesizedTypeNode(node)) return toSpec(node.type);
  if (ts.isLiteralTypeNode(node)) {
    const l = node.literal;
    if (l.kind === ts.SyntaxKind.NullKeyword) return { kind: 'null' };
    if (ts.isStringLiteral(l)) return { kind: 'literal', value: l.text };
    if (ts.isNumericLiteral(l)) return { kind: 'literal', value: Number(l.text) };
    if (l.kind === ts.SyntaxKind.TrueKeyword) return { kind: 'literal', value: true };
    if (l.kind === ts.SyntaxKind.FalseKeyword) return { kind: 'literal', value: false };
    return { kind: 'any' };
  }
  if (ts.isUnionTypeNode(node)) return { kind: 'union', options: node.types.map(toSpec) };
  if (ts.isArrayTypeNode(node)) return { kind: 'array', element: toSpec(node.elementType) };
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    const args = node.typeArguments ?? [];
    if ((name === 'Array' || name === 'ReadonlyArray' || name === 'Set') && args.length === 1) return { kind: 'array', element: toSpec(args[0]) };
    if (name === 'Record' && args.length === 2) return { kind: 'record', value: toSpec(args[1]) };
    if (name === 'Date') return { kind: 'string' };
    return { kind: 'ref', name };
  }
  if (ts.isTypeLiteralNode(node)) {
    const index = node.members.find(ts.isIndexSignatureDeclaration);
    if (index) return { kind: 'record', value: toSpec(index.type) };
    return { kind: 'inline', props: node.members.filter(ts.isPropertySignature).map(propOf) };
  }
  return { kind: 'any' };
}

function propOf(m: ts.PropertySignature): SdkProperty {
  return { name: propName(m.name), optional: m.questionToken !== undefined, type: m.type ? toSpec(m.type) : { kind: 'any' } };
}

function enumValues(init: ts.Expression): Array<string | number> | undefined {
  let e = init;
  while (ts.isAsExpression(e) || ts.isParenthesizedExpression(e)) e = e.expression;
  if (!ts.isObjectLiteralExpression(e)) return undefined;
  const out: Array<string | number> = [];
  for (const p of e.properties) {
    if (!ts.isPropertyAssignment(p)) return undefined;
    const v = p.initializer;
    if (ts.isStringLiteral(v)) out.push(v.text);
    else if (ts.isNumericLiteral(v)) out.push(Number(v.text));
    else if (ts.isPrefixUnaryExpression(v) && v.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(v.operand)) out.push(-Number(v.operand.text));
    else return undefined;
  }
  return out;
}

/** Parses every model file of the SDK once (about 200 files, syntax only). */
function modelIndex(): ModelIndex {
  if (cached) return cached;
  const dir = sdkModelsDir();
  const idx: ModelIndex = { interfaces: new Map(), enums: new Map(), aliases: new Map() };
  const consts = new Map<string, Array<string | number>>();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.ts') || f.endsWith('.d.ts')) continue;
    const sf = ts.createSourceFile(f, readFileSync(join(dir, f), 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const st of sf.statements) {
      if (ts.isInterfaceDeclaration(st)) {
        const props = st.members.filter(ts.isPropertySignature).map(propOf);
        for (const h of st.heritageClauses ?? []) {
          for (const t of h.types) {
            const base = t.expression.getText();
            // resolved after all files are read
            props.push({ name: `__extends__${base}`, optional: true, type: { kind: 'ref', name: base } });
          }
        }
        idx.interfaces.set(st.name.text, props);
      } else if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) {
          if (ts.isIdentifier(d.name) && d.initializer) {
            const vals = enumValues(d.initializer);
            if (vals) consts.set(d.name.text, vals);
          }
        }
      } else if (ts.isTypeAliasDeclaration(st)) {
        const name = st.name.text;
        if (ts.isIndexedAccessTypeNode(st.type) && ts.isTypeQueryNode(st.type.objectType)) {
          const of = st.type.objectType.exprName.getText();
          // resolved below, once every file's consts are known
          idx.aliases.set(name, { kind: 'ref', name: `__enum__${of}` });
        } else {
          idx.aliases.set(name, toSpec(st.type));
        }
      }
    }
  }
  for (const [name, spec] of idx.aliases) {
    if (spec.kind === 'ref' && spec.name.startsWith('__enum__')) {
      const vals = consts.get(spec.name.slice('__enum__'.length));
      if (vals) idx.enums.set(name, vals);
      idx.aliases.delete(name);
    }
  }
  // flatten `interface A extends B`
  for (const [name, props] of idx.interfaces) {
    const own = props.filter((p) => !p.name.startsWith('__extends__'));
    for (const p of props) {
      if (!p.name.startsWith('__extends__')) continue;
      const base = idx.interfaces.get(p.name.slice('__extends__'.length));
      for (const bp of base ?? []) if (!own.some((o) => o.name === bp.name)) own.push(bp);
    }
    idx.interfaces.set(name, own);
  }
  cached = idx;
  return idx;
}

/** The properties of an SDK model interface (e.g. `Market`). @throws Error for a name the SDK does not define. */
export function sdkModelProperties(modelName: string): SdkProperty[] {
  const props = modelIndex().interfaces.get(modelName);
  if (!props) throw new Error(`kalshi-typescript defines no model interface ${JSON.stringify(modelName)} (looked in ${sdkModelsDir()})`);
  return props;
}

/** Values of an SDK enum (e.g. `MarketStatusEnum`), or undefined. */
export function sdkEnumValues(name: string): Array<string | number> | undefined {
  return modelIndex().enums.get(name);
}

const jsonType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function describe(spec: TypeSpec): string {
  switch (spec.kind) {
    case 'literal':
      return JSON.stringify(spec.value);
    case 'array':
      return `${describe(spec.element)}[]`;
    case 'record':
      return `{[key]: ${describe(spec.value)}}`;
    case 'inline':
      return 'object';
    case 'ref':
      return spec.name;
    case 'union':
      return spec.options.map(describe).join(' | ');
    default:
      return spec.kind;
  }
}

/** The JSON types (`string`, `number`, `boolean`, `null`, `array`, `object`, or `any`) a declared type admits. */
function jsonKinds(spec: TypeSpec, idx: ModelIndex, depth = 0): Set<string> {
  if (depth > 16) return new Set(['any']);
  switch (spec.kind) {
    case 'literal':
      return new Set([typeof spec.value]);
    case 'array':
      return new Set(['array']);
    case 'record':
    case 'inline':
    case 'object':
      return new Set(['object']);
    case 'union':
      return new Set(spec.options.flatMap((o) => [...jsonKinds(o, idx, depth + 1)]));
    case 'ref': {
      const e = idx.enums.get(spec.name);
      if (e) return new Set(e.map((v) => typeof v));
      if (idx.interfaces.has(spec.name)) return new Set(['object']);
      const a = idx.aliases.get(spec.name);
      return a ? jsonKinds(a, idx, depth + 1) : new Set(['any']);
    }
    default:
      return new Set([spec.kind]);
  }
}

function admitsNull(spec: TypeSpec, idx: ModelIndex): boolean {
  if (spec.kind === 'null' || spec.kind === 'any') return true;
  if (spec.kind === 'union') return spec.options.some((o) => admitsNull(o, idx));
  if (spec.kind === 'ref') {
    const a = idx.aliases.get(spec.name);
    return a !== undefined && admitsNull(a, idx);
  }
  return false;
}

function checkProps(props: SdkProperty[], value: unknown, path: string, out: string[], idx: ModelIndex, seen: number): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    out.push(`${path || '(root)'}: expected object, got ${jsonType(value)}`);
    return;
  }
  const o = value as Record<string, unknown>;
  for (const p of props) {
    const at = path ? `${path}.${p.name}` : p.name;
    if (!(p.name in o) || o[p.name] === undefined) {
      if (!p.optional) out.push(`${at}: required property missing (${describe(p.type)})`);
      continue;
    }
    check(p.type, o[p.name], at, out, idx, seen + 1);
  }
}

function check(spec: TypeSpec, value: unknown, path: string, out: string[], idx: ModelIndex, depth = 0): void {
  if (depth > 64) {
    out.push(`${path}: nesting too deep`);
    return;
  }
  const got = jsonType(value);
  const mismatch = () => out.push(`${path || '(root)'}: expected ${describe(spec)}, got ${got}${got === 'string' || got === 'number' || got === 'boolean' ? ` ${JSON.stringify(value)}` : ''}`);
  switch (spec.kind) {
    case 'any':
      return;
    case 'null':
      if (value !== null) mismatch();
      return;
    case 'string':
    case 'number':
    case 'boolean':
      if (got !== spec.kind || (spec.kind === 'number' && !Number.isFinite(value))) mismatch();
      return;
    case 'object':
      if (got !== 'object') mismatch();
      return;
    case 'literal':
      if (value !== spec.value) mismatch();
      return;
    case 'array':
      if (got !== 'array') return void mismatch();
      (value as unknown[]).forEach((v, i) => check(spec.element, v, `${path}[${i}]`, out, idx, depth + 1));
      return;
    case 'record':
      if (got !== 'object') return void mismatch();
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) check(spec.value, v, `${path}.${k}`, out, idx, depth + 1);
      return;
    case 'inline':
      checkProps(spec.props, value, path, out, idx, depth);
      return;
    case 'union': {
      for (const o of spec.options) {
        const probe: string[] = [];
        check(o, value, path, probe, idx, depth + 1);
        if (probe.length === 0) return;
      }
      // when exactly one option has the value's JSON type, report that option's problems (they name deeper paths)
      const same = spec.options.filter((o) => jsonKinds(o, idx).has(got) || jsonKinds(o, idx).has('any'));
      if (same.length === 1) check(same[0], value, path, out, idx, depth + 1);
      else mismatch();
      return;
    }
    case 'ref': {
      const enumVals = idx.enums.get(spec.name);
      if (enumVals) {
        if (!enumVals.includes(value as string | number)) out.push(`${path}: ${JSON.stringify(value)} is not a value of ${spec.name} (${enumVals.map((v) => JSON.stringify(v)).join(', ')})`);
        return;
      }
      const props = idx.interfaces.get(spec.name);
      if (props) {
        if (value === null) return void mismatch();
        checkProps(props, value, path, out, idx, depth);
        return;
      }
      const alias = idx.aliases.get(spec.name);
      if (alias) {
        check(alias, value, path, out, idx, depth + 1);
        return;
      }
      out.push(`${path}: unknown SDK type ${spec.name}`);
      return;
    }
  }
}

/**
 * Checks `json` against the SDK model `modelName` (an interface of kalshi-typescript's `models/`, e.g.
 * `GetMarketsResponse`, `Market`, `Trade`).
 * @returns the problems, one line each naming the JSON path; empty when conformant.
 * @throws Error for a model name the SDK does not define (so a typo cannot pass silently).
 */
export function checkAgainstSdkModel(modelName: string, json: unknown): string[] {
  const idx = modelIndex();
  const props = sdkModelProperties(modelName);
  const out: string[] = [];
  checkProps(props, json, '', out, idx, 0);
  return out;
}

/** Whether a property's declared type admits JSON null (for reports). */
export function sdkPropertyNullable(modelName: string, prop: string): boolean {
  const p = sdkModelProperties(modelName).find((x) => x.name === prop);
  if (!p) throw new Error(`${modelName} has no property ${prop}`);
  return admitsNull(p.type, modelIndex());
}
