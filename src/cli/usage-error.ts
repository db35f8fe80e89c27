/** A bad command line: main.ts prints the message with a hint and exits with code 2. */
export class UsageError extends Error {}
