package x12gen_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"rcmguard/internal/x12"
	"rcmguard/internal/x12/x12gen"
)

func inspect(t *testing.T, r io.Reader) (*x12.File, []byte) {
	t.Helper()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	f, err := x12.NewInspector().Inspect("claims.837", bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the generated interchange is not well-formed: %v", err)
	}
	return f, data
}

func checks(f *x12.File) map[string]int {
	m := map[string]int{}
	for _, fd := range f.Findings {
		m[fd.Check]++
	}
	return m
}

// TestClaimStreamWith keeps the plain stream clean and puts a password in
// ISA04 only when asked, where the inspector finds it without showing it.
func TestClaimStreamWith(t *testing.T) {
	plain, data := inspect(t, x12gen.NewClaimStream(8<<10))
	if len(plain.Findings) != 0 || len(plain.Interchanges) != 1 || len(data) < 8<<10 {
		t.Fatalf("plain stream: %d bytes, findings %+v", len(data), plain.Findings)
	}
	same, _ := io.ReadAll(x12gen.NewClaimStreamWith(8<<10, x12gen.Options{}))
	if !bytes.Equal(same, data) {
		t.Error("zero Options differ from NewClaimStream")
	}
	f, data := inspect(t, x12gen.NewClaimStreamWith(8<<10, x12gen.Options{Password: "DEMOPASS"}))
	isa, _, _ := strings.Cut(string(data), "~")
	if want := "ISA*00*          *01*DEMOPASS  *"; !strings.HasPrefix(isa, want) || len(isa) != 105 {
		t.Errorf("ISA %q; want it to start %q and keep its fixed width", isa, want)
	}
	if c := checks(f); c[x12.CheckISACredentials] != 1 || len(f.Findings) != 1 {
		t.Errorf("findings %+v; want one isa-credentials", f.Findings)
	}
	if strings.Contains(f.Findings[0].Message, "DEMOPASS") {
		t.Error("the finding shows the password")
	}
	long, _ := io.ReadAll(x12gen.NewClaimStreamWith(100, x12gen.Options{Password: "a-much-longer-password"}))
	if isa, _, _ := strings.Cut(string(long), "~"); len(isa) != 105 || !strings.Contains(isa, "*a-much-lon*") {
		t.Errorf("long password ISA %q; want it cut to ten characters", isa)
	}
}
