import { genrule as genruleRule } from '../../rules/genrule';
import { go_binary, go_library, go_test } from '../../rules/go';
import { type RuleDefinition, builtinRule } from './rule-api';

// The rules every BUILD file can call without a load(). They are `rule()` values of the public
// API (rules/go.ts and rules/genrule.ts import nothing else); they get the names BUILD files call
// them by here.

/** go_library as BUILD files call it. */
export const goLibrary: RuleDefinition = builtinRule('go_library', go_library);
/** go_binary as BUILD files call it. */
export const goBinary: RuleDefinition = builtinRule('go_binary', go_binary);
/** go_test as BUILD files call it. */
export const goTest: RuleDefinition = builtinRule('go_test', go_test);

/** genrule as BUILD files call it. */
export const genrule: RuleDefinition = builtinRule('genrule', genruleRule);

/** Every built-in rule, in the order they are documented. */
export const BUILTIN_RULES: readonly RuleDefinition[] = [goLibrary, goBinary, goTest, genrule];
