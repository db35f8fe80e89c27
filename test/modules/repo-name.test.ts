import { modulePackageLabel, packageTargetName, repoNameOf } from '../../src/modules/repo-name';

// Expected values are what Gazelle v0.47.0's label.ImportPathToBazelRepoName and
// libNameFromImportPath give (read from its source in the module cache).
describe('Gazelle names of module repositories and packages', () => {
  test.each([
    ['github.com/klauspost/compress', 'com_github_klauspost_compress'],
    ['gitlab.com/golang-commonmark/markdown', 'com_gitlab_golang_commonmark_markdown'],
    ['golang.org/x/sys', 'org_golang_x_sys'],
    ['gopkg.in/yaml.v3', 'in_gopkg_yaml_v3'],
    ['github.com/BurntSushi/toml', 'com_github_burntsushi_toml'],
    ['example.com/foo--bar', 'com_example_foo_bar'],
    ['example.com/a.-b~c', 'com_example_a_b_c'],
  ])('repository of %s is %s', (modulePath, repo) => {
    expect(repoNameOf(modulePath)).toBe(repo);
  });

  test.each([
    ['github.com/klauspost/compress/zstd', 'zstd'],
    ['gopkg.in/yaml.v3', 'yaml_v3'],
    ['github.com/go-yaml/yaml/v3', 'yaml'],
    ['example.com/x/v1', 'x'],
    ['example.com/x/v0', 'x'],
    ['example.com/go-toml', 'go-toml'],
    ['single', 'single'],
  ])('target name of %s is %s', (importPath, name) => {
    expect(packageTargetName(importPath)).toBe(name);
  });

  test('labels are written short when the name repeats the directory', () => {
    expect(modulePackageLabel('golang.org/x/sys', 'golang.org/x/sys/unix')).toBe(
      '@org_golang_x_sys//unix',
    );
    expect(
      modulePackageLabel(
        'gitlab.com/golang-commonmark/markdown',
        'gitlab.com/golang-commonmark/markdown',
      ),
    ).toBe('@com_gitlab_golang_commonmark_markdown//:markdown');
    expect(modulePackageLabel('gopkg.in/yaml.v3', 'gopkg.in/yaml.v3')).toBe(
      '@in_gopkg_yaml_v3//:yaml_v3',
    );
    expect(modulePackageLabel('example.com/m', 'example.com/m/x/v2')).toBe(
      '@com_example_m//x/v2:x',
    );
  });
});
