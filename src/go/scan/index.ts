// Reading Go source files the way go/build and cmd/go do: file headers (package clause, imports,
// directives, //go:embed), build constraints and file-name rules, file selection for a package
// directory, test functions, and the generated _testmain.go.
export * from './build-constraint';
export * from './build-context';
export type { GoBuildLine } from './file-header';
export * from './package-files';
export * from './scan-go-file';
export * from './test-functions';
export * from './test-main';
export { goQuote, goUnquote } from './go-quote';
export { GoScanner, isGoKeyword } from './go-scanner';
export type { GoScanError, GoToken, GoTokenKind } from './go-scanner';
