import type { AttrKind, Attrs, Rule } from '../rules';
import type { SourceSpan } from '../util';
import type { RuleImplementation } from './target-roots';
import type { RuleFile } from './ts-rule-files';

/**
 * The public rule API: what a rule in `rules/` (or a workspace's own TypeScript rule) declares.
 * A rule names its attributes and their types; pgobuild checks every call in a BUILD file against
 * them (unknown attribute, wrong type, missing mandatory attribute) and hands the rule typed values.
 */
export type AttrType =
  'string' | 'int' | 'bool' | 'string_list' | 'label' | 'label_list' | 'string_dict';

/** The BUILD-file type of each `attr.*` kind of the public API (`labelList` → `label_list`). */
export const ATTR_TYPE_OF_KIND: { readonly [K in AttrKind]: AttrType } = {
  string: 'string',
  int: 'int',
  bool: 'bool',
  label: 'label',
  labelList: 'label_list',
  stringList: 'string_list',
  stringDict: 'string_dict',
  output: 'string',
  outputList: 'string_list',
};

/** One attribute of a rule. */
export interface AttrSpec {
  readonly type: AttrType;
  readonly mandatory?: boolean;
  readonly doc: string;
}

/** The typed value of an attribute, with where it was written. */
export type AttrValue =
  | { readonly type: 'string'; readonly value: string; readonly span: SourceSpan }
  | { readonly type: 'int'; readonly value: number; readonly span: SourceSpan }
  | { readonly type: 'bool'; readonly value: boolean; readonly span: SourceSpan }
  | {
      readonly type: 'string_list';
      readonly value: readonly { readonly value: string; readonly span: SourceSpan }[];
      readonly span: SourceSpan;
    }
  | { readonly type: 'label'; readonly value: string; readonly span: SourceSpan }
  | {
      readonly type: 'label_list';
      readonly value: readonly { readonly value: string; readonly span: SourceSpan }[];
      readonly span: SourceSpan;
    }
  | {
      readonly type: 'string_dict';
      /** Entries in the order written (the span is the dict's). */
      readonly value: readonly {
        readonly key: string;
        readonly value: string;
        readonly span: SourceSpan;
      }[];
      readonly span: SourceSpan;
    };

/** The kinds of Go targets the build graph understands. */
export type GoTargetKind = 'go_library' | 'go_binary' | 'go_test';

/**
 * Every kind of target a BUILD file can declare: the Go rules, and rules whose targets are generic
 * actions (files made by a command: `genrule`).
 */
export type RuleKind = GoTargetKind | 'genrule';

/** A rule definition. */
export interface RuleDefinition {
  /** The function name BUILD files call, e.g. `go_library`. */
  readonly name: RuleKind;
  readonly doc: string;
  readonly attrs: Readonly<Record<string, AttrSpec>>;
  /** What a target of the rule becomes in the action graph. */
  readonly implementation: RuleImplementation;
  /** A rule written on the public API (`rules/go.ts`), run as TypeScript rules are. */
  readonly api?: Rule;
  readonly user?: undefined;
}

/**
 * A rule a workspace wrote in TypeScript (`load("//tools/rules:x.ts", "x")`): its `rule()` value
 * and the file it came from (whose digest is an input of every action it declares).
 */
export interface UserRuleDefinition {
  /** The name the file exports it as: what BUILD files call. */
  readonly name: string;
  readonly doc: string;
  readonly attrs: Readonly<Record<string, AttrSpec>>;
  /** Runs the rule's TypeScript implementation ({@link UserRuleNodes}). */
  readonly implementation: RuleImplementation;
  readonly user: { readonly rule: Rule; readonly file: RuleFile };
  readonly api?: undefined;
}

/** The public-API rule of a target's rule (a TypeScript rule's, or a built-in one's), if any. */
export function apiRuleOf(rule: RuleDefinition | UserRuleDefinition): Rule | undefined {
  return rule.user?.rule ?? rule.api;
}

/** Whether targets of `rule` are Go packages other Go targets may list in `deps`. */
export function providesGoArchive(rule: RuleDefinition | UserRuleDefinition): boolean {
  return apiRuleOf(rule)?.provides?.includes('GoArchiveInfo') === true;
}

/** Whether targets of `rule` are tests (`rule({ test: true })`: go_test), which `test` runs. */
export function isTestRule(rule: RuleDefinition | UserRuleDefinition): boolean {
  return apiRuleOf(rule)?.test === true;
}

/** Whether `rule` declares the Go toolchain (`toolchains: ['go']`): its targets are Go packages. */
export function usesGoToolchain(rule: RuleDefinition | UserRuleDefinition): boolean {
  return apiRuleOf(rule)?.toolchains?.includes('go') === true;
}

/**
 * Whether targets of `rule` are Go programs built with their own profile (`cfg:
 * goBinaryTransition`, as go_binary): what `pgo doctor` examines, and where a test of their main
 * package takes its profile from, as `go test` does.
 */
export function isGoBinaryRule(rule: RuleDefinition | UserRuleDefinition): boolean {
  return isExecutableRule(rule) && apiRuleOf(rule)?.cfg?.name === 'go_binary';
}

/** Whether targets of `rule` are programs (a genrule's or a rule's tools run them). */
export function isExecutableRule(rule: RuleDefinition | UserRuleDefinition): boolean {
  const r = apiRuleOf(rule);
  return r?.executable === true && r.test !== true;
}

/** A target as declared in a BUILD file, after attribute checking. */
export interface DeclaredTarget {
  readonly rule: RuleDefinition | UserRuleDefinition;
  /** Package (workspace-relative directory) and name. */
  readonly pkg: string;
  readonly name: string;
  /** Span of the rule call (the callee name), for errors about the target as a whole. */
  readonly span: SourceSpan;
  readonly attrs: ReadonlyMap<string, AttrValue>;
  /** The module repository of an implicit module-package target (`@repo//dir:name`). */
  readonly repo?: string;
  /** For a module package: the build list it was named in and its import path. */
  readonly external?: { readonly contextFile: string; readonly importPath: string };
}

/** Reads a string attribute, or the default. */
export function stringAttr(t: DeclaredTarget, name: string, fallback: string): string {
  const v = t.attrs.get(name);
  return v?.type === 'string' || v?.type === 'label' ? v.value : fallback;
}

/** Reads a list attribute (strings or labels) with spans; empty when absent. */
export function listAttr(
  t: DeclaredTarget,
  name: string,
): readonly { readonly value: string; readonly span: SourceSpan }[] {
  const v = t.attrs.get(name);
  return v?.type === 'string_list' || v?.type === 'label_list' ? v.value : [];
}

/** Reads a string_dict attribute's entries with spans; empty when absent. */
export function dictAttr(
  t: DeclaredTarget,
  name: string,
): readonly { readonly key: string; readonly value: string; readonly span: SourceSpan }[] {
  const v = t.attrs.get(name);
  return v?.type === 'string_dict' ? v.value : [];
}

/** The attribute specs BUILD calls are checked against, from a public-API rule's `attr.*`. */
export function attrSpecsOf(rule: Rule): Record<string, AttrSpec> {
  return Object.fromEntries(
    Object.entries(rule.attrs).map(([name, a]) => [
      name,
      { type: ATTR_TYPE_OF_KIND[a.kind], mandatory: a.mandatory, doc: a.doc ?? '' },
    ]),
  );
}

/**
 * A built-in rule written on the public API (`rules/go.ts`): BUILD files call it as `name`, and
 * its targets run through the same runner as TypeScript rules' ({@link UserRuleNodes}).
 */
export function builtinRule<A extends Attrs>(name: RuleKind, rule: Rule<A>): RuleDefinition {
  // The runner hands an implementation the ctx its attrs describe, as for a rule file's rules.
  const untyped = rule as unknown as Rule;
  return {
    name,
    doc: untyped.doc ?? '',
    attrs: attrSpecsOf(untyped),
    implementation: (target, rc) => rc.userRules.rootNode(target),
    api: untyped,
  };
}
