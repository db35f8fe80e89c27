import { execFileSync } from 'node:child_process';
import {
  checkGodebugSetting,
  defaultGodebug,
  mainModuleGoVersion,
} from '../../src/go/default-godebug';

const GOROOT = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
const VERSION = execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();

describe('GODEBUG keys and defaults from the SDK table', () => {
  test('known, unknown and removed keys get cmd/go messages', () => {
    expect(checkGodebugSetting(GOROOT, VERSION, '//go:debug setting', 'panicnil', '1')).toBe(
      undefined,
    );
    // A known key with no changed default.
    expect(checkGodebugSetting(GOROOT, VERSION, 'godebug', 'execerrdot', '0')).toBe(undefined);
    expect(checkGodebugSetting(GOROOT, VERSION, 'godebug', 'bogus', '1')).toBe(
      'unknown godebug "bogus"',
    );
    expect(checkGodebugSetting(GOROOT, VERSION, '//go:debug setting', 'x509sha1', '1')).toBe(
      'use of removed //go:debug setting "x509sha1", see https://go.dev/doc/godebug#go-124',
    );
    expect(checkGodebugSetting(GOROOT, VERSION, 'godebug', 'default', 'go1.21')).toBe(undefined);
    expect(checkGodebugSetting(GOROOT, 'go1.26.8', 'godebug', 'default', 'go1.99')).toBe(
      'default=go1.99 too new (toolchain is go1.26.8)',
    );
  });

  test('the base version: go.mod without go line 1.16, go.work 1.18, no module the toolchain', () => {
    expect(mainModuleGoVersion({ modulePath: 'example.com/m' }, 'go1.26.8')).toBe('1.16');
    expect(
      mainModuleGoVersion({ modulePath: 'example.com/m', goVersion: '1.22' }, 'go1.26.8'),
    ).toBe('1.22');
    expect(mainModuleGoVersion({}, 'go1.26.8')).toBe('1.18');
    expect(mainModuleGoVersion(undefined, 'go1.26.8')).toBe('1.26.8');
  });

  test('go1.16 defaults include netedns0=0; directives override; default= moves the base', () => {
    expect(defaultGodebug(GOROOT, '1.16', [], []).split(',')).toContain('netedns0=0');
    expect(defaultGodebug(GOROOT, '1.22', [], []).split(',')).not.toContain('netedns0=0');
    expect(
      defaultGodebug(
        GOROOT,
        '1.22',
        [{ key: 'panicnil', value: '0' }],
        [{ key: 'panicnil', value: '1' }],
      ).split(','),
    ).toContain('panicnil=1');
    expect(defaultGodebug(GOROOT, '1.22', [], [{ key: 'default', value: 'go1.16' }])).toBe(
      defaultGodebug(GOROOT, '1.16', [], []),
    );
  });
});
