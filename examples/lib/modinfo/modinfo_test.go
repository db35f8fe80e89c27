package modinfo

import (
	"os"
	"strings"
	"testing"
)

// goMod is the module's go.mod, a data file of the test (the test runs in its package directory).
const goMod = "../../go.mod"

// TestTableMatchesGoMod reads go.mod itself and compares it with the table compiled in.
func TestTableMatchesGoMod(t *testing.T) {
	text, err := os.ReadFile(goMod)
	if err != nil {
		t.Fatal(err)
	}
	var module, goVersion string
	var requires []Requirement
	inBlock := false
	for _, line := range strings.Split(string(text), "\n") {
		code, comment, _ := strings.Cut(line, "//")
		f := strings.Fields(code)
		switch {
		case len(f) == 0:
		case inBlock && f[0] == ")":
			inBlock = false
		case inBlock:
			requires = append(requires, Requirement{f[0], f[1], strings.TrimSpace(comment) == "indirect"})
		case f[0] == "module":
			module = f[1]
		case f[0] == "go":
			goVersion = f[1]
		case f[0] == "require" && f[1] == "(":
			inBlock = true
		case f[0] == "require":
			requires = append(requires, Requirement{f[1], f[2], strings.TrimSpace(comment) == "indirect"})
		}
	}
	if Path != module || GoVersion != goVersion {
		t.Errorf("compiled in: module %q go %q; go.mod: module %q go %q", Path, GoVersion, module, goVersion)
	}
	if len(Requirements) != len(requires) {
		t.Fatalf("compiled in: %d requirements; go.mod: %d", len(Requirements), len(requires))
	}
	for i, r := range requires {
		if Requirements[i] != r {
			t.Errorf("requirement %d: compiled in %+v; go.mod %+v", i, Requirements[i], r)
		}
	}
}

func TestLookupAndDirect(t *testing.T) {
	md, ok := Lookup("gitlab.com/golang-commonmark/markdown")
	if !ok || md.Indirect || !strings.HasPrefix(md.Version, "v0.0.0-") {
		t.Errorf("Lookup(markdown) = %+v, %v", md, ok)
	}
	if text, ok := Lookup("golang.org/x/text"); !ok || !text.Indirect {
		t.Errorf("Lookup(golang.org/x/text) = %+v, %v; want an indirect requirement", text, ok)
	}
	if _, ok := Lookup("example.com/nothing"); ok {
		t.Error("Lookup found a module go.mod does not require")
	}
	direct := Direct()
	if len(direct) != 1 || direct[0].Path != "gitlab.com/golang-commonmark/markdown" {
		t.Errorf("Direct() = %+v", direct)
	}
}

func TestUserAgent(t *testing.T) {
	if got, want := UserAgent("mdcat"), "mdcat (example.com/examples; go"+GoVersion+")"; got != want {
		t.Errorf("UserAgent = %q, want %q", got, want)
	}
	if !strings.HasPrefix(GoVersion, "1.") {
		t.Errorf("GoVersion = %q", GoVersion)
	}
}
