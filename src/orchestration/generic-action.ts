import { type Action, type ActionInput, contentInput, hostToolInput } from '../actions';
import type { GenericActionNode } from '../analysis/build-graph';
import type { BlobRef } from '../cache';
import { unreachable } from '../util';

/**
 * The action of a generic node: one spawn of its argv in the exec root, its fixed environment, its
 * inputs (workspace files by digest, host tools by path, other nodes' outputs as CAS blobs) and its
 * declared outputs. `outputOf` answers the blob of a dependency's output (its main output when
 * `output` is undefined).
 */
export function genericAction(
  node: GenericActionNode,
  outputOf: (nodeId: string, output: string | undefined) => BlobRef,
): Action {
  const inputs: ActionInput[] = node.inputs.map((input): ActionInput => {
    switch (input.kind) {
      case 'file':
        return {
          path: input.path,
          digest: input.digest,
          source: { kind: 'file', absPath: input.absPath },
        };
      case 'host-tool':
        return hostToolInput(input.path, input.absPath);
      case 'content':
        return contentInput(input.path, input.content);
      case 'node-output':
        return {
          path: input.path,
          digest: outputOf(input.nodeId, input.output).digest,
          source: { kind: 'cas' },
          ...(input.executable === true ? { executable: true } : {}),
        };
      default:
        return unreachable(input);
    }
  });
  return {
    mnemonic: node.mnemonic,
    description: node.description,
    steps: [{ kind: 'spawn', argv: node.argv, cwd: '' }],
    env: node.env,
    inputs,
    outputs: node.outputs,
  };
}
