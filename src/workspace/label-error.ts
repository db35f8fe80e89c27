/** Why a label or target pattern was rejected; `message` names the text and what was expected. */
export type LabelError = { readonly reason: 'bad-label'; readonly message: string };

/** The label forms a BUILD file may use, quoted in every label error. */
export const LABEL_FORMS = '//pkg/path:name, //pkg/path, :name, name or @repo//pkg/path:name';

/** The target pattern forms the command line accepts, quoted in every pattern error. */
export const PATTERN_FORMS =
  '//pkg/path:name, //pkg/path, //pkg/path:all, //pkg/path:*, //pkg/path/... or //...';

/** Builds a {@link LabelError} for `text`: "invalid label 'x': <problem>; expected <forms>". */
export function labelError(
  kind: 'label' | 'target pattern',
  text: string,
  problem: string,
): LabelError {
  const forms = kind === 'label' ? LABEL_FORMS : PATTERN_FORMS;
  return {
    reason: 'bad-label',
    message: `invalid ${kind} '${text}': ${problem}; expected ${forms}`,
  };
}
