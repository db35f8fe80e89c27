export { CommandServer, type CommandServerOptions, type RunCommandLine } from './command-server';
export {
  type CommandRequest,
  type ExitNotice,
  FrameReader,
  type FrameType,
  type TerminalInfo,
  type WaitingNotice,
  encodeFrame,
} from './frames';
export { serverMain } from './server-main';
