import * as protobuf from 'protobufjs/light';
import { int64FromBits, type WireInt64 } from './int64';

/**
 * A protobufjs reader whose 64-bit varints reach the generated decoders as plain numbers when they
 * are safe integers (IDs, string indices, line numbers and sample values nearly always are) and
 * as exact bigints otherwise, where the default reader allocates a `Long` for every one. On the
 * Go compiler's own profile those are about 200,000 objects, and collecting them was half of the
 * decoding time.
 *
 * The pprof schema uses only `int64` and `uint64` varints among the 64-bit types, so only those two
 * are replaced. The declared return type stays protobufjs' `Long`; what actually comes back is a
 * {@link WireInt64}, which is what the decoder reads the fields as.
 */
export class Int64Reader extends protobuf.BufferReader {
  constructor(bytes: Uint8Array) {
    super(
      Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
    );
    // protobufjs 8 drops unknown fields by default, and a known field with the wrong wire type
    // is one of them: the decoder must see them to reject what Go's decoder rejects.
    this.discardUnknown = false;
  }

  override int64(): protobuf.Long {
    return this.varint64(true) as unknown as protobuf.Long;
  }

  override uint64(): protobuf.Long {
    return this.varint64(false) as unknown as protobuf.Long;
  }

  /** Reads one varint of up to 10 bytes, failing as protobufjs does on overruns and overlong ones. */
  private varint64(signed: boolean): WireInt64 {
    const { buf, len } = this;
    let pos = this.pos;
    const next = (): number => {
      if (pos >= len) {
        throw new RangeError(`index out of range: ${pos} + 1 > ${len}`);
      }
      return buf[pos++] as number;
    };
    let lo = 0;
    let b: number;
    for (let shift = 0; shift < 28; shift += 7) {
      b = next();
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return lo; // below 2^28: the common case, no sign to handle
      }
    }
    b = next();
    lo |= (b & 0x0f) << 28;
    let hi = (b & 0x7f) >> 4;
    for (let shift = 3; b >= 0x80; shift += 7) {
      if (shift > 31) {
        throw new Error('invalid varint encoding');
      }
      b = next();
      hi |= (b & 0x7f) << shift;
    }
    this.pos = pos;
    return int64FromBits(lo, hi, !signed);
  }
}
