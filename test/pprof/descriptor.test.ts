import * as protobuf from 'protobufjs';
import {
  PPROF_DESCRIPTOR,
  PPROF_PROTO_SCHEMA,
  type PprofMessageName,
  pprofMessageType,
} from '../../src/pprof/profile-proto';

/**
 * The decoder loads the pprof schema as a JSON descriptor (no .proto parser at start-up); the
 * schema text stays the reference. Both must describe the same messages, down to the code
 * protobufjs generates for them.
 */
describe('the pprof JSON descriptor', () => {
  const parsed = protobuf.parse(PPROF_PROTO_SCHEMA, { keepCase: true }).root;
  const names: PprofMessageName[] = [
    'Profile',
    'ValueType',
    'Sample',
    'Label',
    'Mapping',
    'Location',
    'Line',
    'Function',
  ];

  it('is what protobufjs makes of the schema text', () => {
    expect(PPROF_DESCRIPTOR).toEqual(parsed.toJSON());
  });

  it.each(names)('gives %s the same generated decoder and encoder as the schema text', (name) => {
    const fromSchema = parsed.lookupType(`perftools.profiles.${name}`).setup();
    const fromDescriptor = pprofMessageType(name).setup();
    expect(fromDescriptor.decode.toString()).toBe(fromSchema.decode.toString());
    expect(fromDescriptor.encode.toString()).toBe(fromSchema.encode.toString());
  });
});
