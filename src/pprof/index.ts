/**
 * pprof profiles: decoding (protobufjs), and preprocessing into the Go compiler's serialized
 * edge list, byte-identical to `go tool preprofile`.
 */
export { PPROF_PROTO_SCHEMA, pprofMessageType, type PprofMessageName } from './profile-proto';
export type {
  PprofProfile,
  PprofValueType,
  PprofSample,
  PprofLabel,
  PprofMapping,
  PprofLocation,
  PprofLine,
  PprofFunction,
} from './profile';
export {
  formatProfileFailure,
  profileFailure,
  type ProfileFailure,
  type ProfileFailureReason,
} from './profile-failure';
export { decodeProfile } from './decode-profile';
export { profileEdges, compareEdges, type WeightedEdge } from './profile-edges';
export { compareUtf8 } from './compare-utf8';
export { serializePreprocessed, PREPROFILE_HEADER } from './serialize-preprocessed';
export { preprocessProfileBytes, preprocessProfileFile } from './preprocess-profile';
export { MAX_PROFILE_BYTES, readProfileFile } from './profile-file';
export { runPreprocessCommand, type PreprocessCommandIo } from './preprocess-command';
export { encodeProfile } from './encode-profile';
export {
  mergeProfiles,
  pgoValueIndex,
  type MergeInput,
  type MergeResult,
  type MergedInputReport,
} from './merge-profiles';
export { checkCollectedProfile } from './check-collected-profile';
export { HOT_CDF_THRESHOLD, hotEdges, profileShape, type ProfileShape } from './profile-shape';
export {
  declarationOf,
  profileStaleness,
  scanDeclaredFunctions,
  splitSymbol,
  type DeclaredFunctions,
  type StaleFunction,
  type Staleness,
} from './profile-staleness';
export {
  parseRenameMapping,
  renameFunctions,
  unmatchedMappingHint,
  type MappingReport,
  type RenameMapping,
  type RenameResult,
} from './rename-functions';
export {
  DIFF_NODE_FRACTION,
  diffProfiles,
  pprofPercentage,
  pprofValueFormatter,
  type DiffFrame,
  type DiffRow,
  type ProfileDiff,
} from './profile-diff';
export { diffFlameGraphHtml } from './diff-flame-graph';
