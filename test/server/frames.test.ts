import { FrameReader, encodeFrame } from '../../src/server';

describe('client/server frames', () => {
  test('frames survive any chunking, binary payloads and empty ones included', () => {
    const frames: [string, Buffer][] = [
      ['R', Buffer.from(JSON.stringify({ argv: ['build', '//...'] }))],
      ['O', Buffer.from([0, 1, 2, 255, 10])],
      ['E', Buffer.alloc(0)],
      ['X', Buffer.from('{"code":130}')],
    ];
    const wire = Buffer.concat(frames.map(([t, p]) => encodeFrame(t as 'R', p)));
    for (const size of [1, 2, 3, 5, 7, wire.length]) {
      const got: [string, Buffer][] = [];
      const reader = new FrameReader((t, p) => got.push([t, Buffer.from(p)]));
      for (let i = 0; i < wire.length; i += size) reader.push(wire.subarray(i, i + size));
      expect(got).toEqual(frames);
    }
  });

  test('a frame is a type byte, a big-endian length and the payload', () => {
    expect([...encodeFrame('C', 'SIGINT')]).toEqual([0x43, 0, 0, 0, 6, ...Buffer.from('SIGINT')]);
  });
});
