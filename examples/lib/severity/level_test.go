package severity

import "testing"

func TestString(t *testing.T) {
	for l, want := range map[Level]string{Debug: "Debug", Info: "Info", Warn: "Warn", Error: "Error", 7: "Level(7)"} {
		if got := l.String(); got != want {
			t.Errorf("Level(%d).String() = %q, want %q", int(l), got, want)
		}
	}
}

func TestParse(t *testing.T) {
	if l, ok := Parse("Warn"); !ok || l != Warn {
		t.Errorf("Parse(Warn) = %v, %v", l, ok)
	}
	if _, ok := Parse("Fatal"); ok {
		t.Error("Parse(Fatal) succeeded")
	}
}
