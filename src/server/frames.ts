/**
 * The client/server wire format: a stream of frames, each a one-byte type, a 4-byte big-endian
 * payload length and the payload. bin/pgobuild.js (the client) writes and reads the same format
 * without importing this file, so that it stays small; keep the two in step.
 *
 * Client → server: `R` the request (JSON {@link CommandRequest}), `C` cancel (payload: the signal
 * name the client received). Server → client: `O` stdout bytes, `E` stderr bytes, `W` waiting
 * for another command (JSON {@link WaitingNotice}), `X` the exit code (JSON {@link ExitNotice}).
 */
export type FrameType = 'R' | 'C' | 'O' | 'E' | 'W' | 'X';

/** What a client asks the server to run. */
export interface CommandRequest {
  readonly argv: string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** The client's pid, shown to clients that wait behind it. */
  readonly pid: number;
  readonly stdout: TerminalInfo;
  readonly stderr: TerminalInfo;
}

/** Whether a client's stream is a terminal, and how wide. */
export interface TerminalInfo {
  readonly isTTY: boolean;
  readonly columns?: number;
}

/** Sent to a client whose command waits for another client's. */
export interface WaitingNotice {
  readonly pid: number;
}

/** The last frame of a command. */
export interface ExitNotice {
  readonly code: number;
}

/** Encodes one frame. */
export function encodeFrame(type: FrameType, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

/** Splits a byte stream into frames, whatever the chunk boundaries. */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (type: string, payload: Buffer) => void) {}

  /** Feeds received bytes; calls `onFrame` for every complete frame. */
  push(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 5) {
      const length = this.buffered.readUInt32BE(1);
      if (this.buffered.length < 5 + length) return;
      const type = this.buffered.toString('latin1', 0, 1);
      const payload = this.buffered.subarray(5, 5 + length);
      this.buffered = this.buffered.subarray(5 + length);
      this.onFrame(type, payload);
    }
  }
}
