// The BUILD-file language: a lexer, parser, resolver and tree-walking evaluator for the
// Starlark subset BUILD and .bzl files use, with Bazel semantics and span-accurate diagnostics.
export type {
  Value,
  StarlarkList,
  StarlarkTuple,
  StarlarkDict,
  StarlarkFunction,
  BuiltinFunction,
  UserFunction,
  CallArgs,
  CallContext,
} from './values';
export {
  typeName,
  repr,
  str,
  quote,
  truthy,
  equals,
  compare,
  hashKey,
  iterate,
  dictGet,
  dictSet,
  freeze,
  makeList,
  makeTuple,
  makeDict,
  makeBuiltin,
} from './values';
export type { StarlarkFailure } from './failure';
export { loadNotFound } from './failure';
export type { Module } from './module';
export { parseFile } from './module';
export type { Dialect } from './parser';
export type { EvalEnv } from './eval-env';
export { evaluateModule } from './evaluator';
export { suggestNearest } from './suggest';
export type { Arg, BoundArgs, BuiltinSignature } from './call-args';
export { bindArgs, stringArg, intArg, wrongType } from './call-args';
export { UNIVERSE } from './builtins';
export type { Token, TokenKind } from './token';
export { tokenize } from './lexer';
export { SourceFile } from './source-file';
