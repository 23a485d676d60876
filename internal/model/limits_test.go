package model

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/token"
)

var shapesDir = flag.String("shapes-dir", "", "write the worst accepted models of TestWorstShapesAccepted here, for measuring `rcmguard validate` on them")

// nestedFlow is the hostile upload: `organization: [ [ … ] ]`,
// depth levels deep; depth 50,000 makes it 200 KB.
func nestedFlow(depth int) []byte {
	return []byte("version: 1\norganization: " + strings.Repeat("[ ", depth) + strings.Repeat(" ]", depth) + "\n")
}

// nestedBlock nests block mappings depth deep under organization.
func nestedBlock(depth int) []byte {
	var b strings.Builder
	b.WriteString("version: 1\norganization:\n")
	for i := 1; i < depth; i++ {
		fmt.Fprintf(&b, "%sa:\n", strings.Repeat(" ", 2*i))
	}
	fmt.Fprintf(&b, "%sa: x\n", strings.Repeat(" ", 2*depth))
	return []byte(b.String())
}

// nestedDashes nests compact block sequences ("- - - x") depth deep: two
// bytes a level, the cheapest block nesting there is.
func nestedDashes(depth int) []byte {
	return []byte("version: 1\nsystems:\n  " + strings.Repeat("- ", depth) + "x\n")
}

// aliasFan anchors a system with items data references and lists it again
// through aliases times `*s`: items*aliases values from a few KB.
func aliasFan(items, aliases int) []byte {
	var b strings.Builder
	b.WriteString(minimalHead)
	b.WriteString("systems:\n  - &s {id: s, name: n, kind: ehr, data: [")
	b.WriteString(strings.Repeat("d,", items-1))
	b.WriteString("d]}\n")
	b.WriteString(strings.Repeat("  - *s\n", aliases))
	return []byte(b.String())
}

// minimalHead is a model's required top without systems.
const minimalHead = `version: 1
organization: {name: x, kind: provider_practice, workforce: 1, patients_per_year: 1, claims_per_month: 1, avg_reimbursement: 1}
data: [{id: d, kind: claims_837}]
roles: [{id: r, name: R, kind: biller, headcount: 1}]
`

func loadErr(t *testing.T, data []byte) (ErrorList, error) {
	t.Helper()
	m, err := Load("m.yaml", data)
	if err == nil {
		t.Fatalf("loaded %d systems; want an error", len(m.Systems))
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %T is not an ErrorList: %v", err, err)
	}
	return list, err
}

func TestLimits(t *testing.T) {
	cases := []struct {
		name     string
		data     []byte
		want     []string
		tooLarge bool // matches ErrTooLarge (a server answers 413, else 422)
	}{
		{"flow depth", nestedFlow(MaxDepth + 1), []string{"m.yaml:2:", "model nests deeper than 64 levels"}, false},
		{"flow mappings", []byte("version: 1\norganization: " + strings.Repeat("{a: ", 70) + "x" + strings.Repeat("}", 70) + "\n"), []string{"m.yaml:2:", "nests deeper than 64"}, false},
		{"block depth", nestedBlock(MaxDepth + 1), []string{"nests deeper than 64"}, false},
		{"compact dashes", nestedDashes(MaxDepth + 1), []string{"m.yaml:3:", "nests deeper than 64"}, false},
		{"block then flow", []byte(string(nestedBlock(40)) + strings.Repeat(" ", 80) + "b: " + strings.Repeat("[", 30) + strings.Repeat("]", 30) + "\n"), []string{"nests deeper than 64"}, false},
		{"the issue's 200 KB file", nestedFlow(50_000), []string{"m.yaml:2:", "nests deeper than 64"}, false},
		{"alias fan", aliasFan(2000, 4000), []string{"m.yaml:", "expands aliases beyond 200000 nodes"}, true},
		{"too many tokens", []byte(minimalHead + "systems: [" + strings.Repeat("{}, ", MaxNodes/3) + "{}]\n"), []string{"more than 200000 YAML nodes"}, true},
		{"too many tokens, refused unlexed", []byte("systems: [" + strings.Repeat("a,", 2*MaxNodes) + "a]\n"), []string{"more than 200000 YAML nodes"}, true},
		{"long key", []byte("version: 1\n" + strings.Repeat("k", maxKeyLen+1) + ": x\n"), []string{"m.yaml:2:1:", "key is longer than 128 characters"}, false},
		{"long keys nested", longKeyPaths(60, maxKeyLen, 20_000), []string{"MiB of paths"}, true},
		{"keys in a mapping", []byte("version: 1\norganization:\n" + manyKeys("  ", maxKeys+1)), []string{"m.yaml:259:", "mapping has more than 256 keys"}, false},
		{"keys in a flow mapping", []byte("version: 1\norganization: {" + strings.ReplaceAll(manyKeys("", maxKeys+1), "\n", ", ") + "}\n"), []string{"mapping has more than 256 keys"}, false},
		{"documents", []byte(strings.Repeat("---\na: 1\n", 40_000)), []string{"m.yaml:5:1:", "holds one YAML document"}, false},
		{"file size", bytes.Repeat([]byte("#\n"), MaxFileSize/2+1), []string{"larger than the 4 MiB limit"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			list, err := loadErr(t, tc.data)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%.500s\nlacks %q", err, w)
				}
			}
			if len(list) != 1 {
				t.Errorf("%d errors; a limit stops the load with one: %.500v", len(list), err)
			}
			if got := errors.Is(err, ErrTooLarge); got != tc.tooLarge {
				t.Errorf("errors.Is(err, ErrTooLarge) = %v, want %v", got, tc.tooLarge)
			}
		})
	}
}

// manyKeys is a mapping's body of n keys, each line indented.
func manyKeys(indent string, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%sk%d: v\n", indent, i)
	}
	return b.String()
}

// longKeyPaths nests keys of keyLen characters depth deep, with leaves
// entries beneath: little text, but each entry's path holds every key.
func longKeyPaths(depth, keyLen, leaves int) []byte {
	var b strings.Builder
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "%s%s:\n", strings.Repeat(" ", i), strings.Repeat(string(rune('a'+i%26)), keyLen))
	}
	ind := strings.Repeat(" ", depth)
	for i := 0; i < leaves; i++ {
		b.WriteString(ind + "- a\n")
	}
	return []byte(b.String())
}

// TestWithinLimits: what real models do is not counted against the limits.
// Brackets in quotes, comments and block scalars do not nest, and a model
// nested as deep as the limit allows is refused only for its content.
func TestWithinLimits(t *testing.T) {
	text := strings.Repeat("[{", 100)
	data := []byte(strings.Replace(minimal, "  name: Test Practice\n",
		"  name: \""+text+"\" # "+text+"\n  security_official: '"+text+"'\n  privacy_official: |\n    "+text+"\n    "+text+"\n", 1))
	m, err := Load("m.yaml", data)
	if err != nil {
		t.Fatalf("brackets in text: %v", err)
	}
	if m.Organization.SecurityOfficial != text {
		t.Errorf("security_official = %q", m.Organization.SecurityOfficial)
	}
	for name, data := range map[string][]byte{
		"flow":   nestedFlow(MaxDepth - 1),
		"block":  nestedBlock(MaxDepth - 1),
		"dashes": nestedDashes(MaxDepth - 1),
		"key":    []byte("version: 1\n" + strings.Repeat("k", maxKeyLen) + ": x\n"),
	} {
		_, err := loadErr(t, data)
		if strings.Contains(err.Error(), "deeper") || strings.Contains(err.Error(), "longer than") || errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: refused by a limit: %.300v", name, err)
		}
	}
	for _, p := range examples {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if n, bound := len(lexer.Tokenize(string(b))), tokenBound(b); n > MaxNodes/20 || bound > 2*n {
			t.Errorf("%s: %d tokens, bound %d: the limits leave too little room", p, n, bound)
		}
	}
}

// TestHostileFilesStayCheap measures what the hostile files of issue 8 cost
// to refuse, in bytes allocated (not time). Before the limits the nested
// file took 3.8 GB, the alias fan 680 MB, the dashes over 10 GB, and the
// keys and documents cost seconds of quadratic copying each.
func TestHostileFilesStayCheap(t *testing.T) {
	for name, data := range map[string][]byte{
		"nested 200 KB": nestedFlow(50_000),
		"alias fan":     aliasFan(2000, 4000),
		"long key":      longKeyPaths(1, 50_000, 10_000),
		"dashes 1 MB":   nestedDashes(500_000),
		"60,000 keys":   []byte("version: 1\n" + manyKeys("", 60_000)),
		"40,000 docs":   []byte(strings.Repeat("---\na: 1\n", 40_000)),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Load("m.yaml", data)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%s: loaded", name)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 128<<20 {
			t.Errorf("%s (%d bytes): refusing it allocated %d MiB", name, len(data), alloc>>20)
		}
	}
}

func TestBusy(t *testing.T) {
	saved := busyWait
	t.Cleanup(func() { busyWait = saved })
	takeAll := func() {
		for i := 0; i < cap(parseSlots); i++ {
			parseSlots <- struct{}{}
		}
	}
	freeAll := func() {
		for i := 0; i < cap(parseSlots); i++ {
			<-parseSlots
		}
	}

	busyWait = time.Millisecond
	takeAll()
	_, err := Load("m.yaml", []byte(minimal))
	freeAll()
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("every slot taken: got %v, want ErrBusy", err)
	}
	var list ErrorList
	if errors.As(err, &list) {
		t.Errorf("busy is not a problem with the model, but got an ErrorList")
	}

	// A load waits for a slot that frees within busyWait.
	busyWait = time.Hour
	takeAll()
	done := make(chan error)
	go func() {
		_, err := Load("m.yaml", []byte(minimal))
		done <- err
	}()
	<-parseSlots // free one slot while the load waits (or before it asks)
	if err := <-done; err != nil {
		t.Errorf("load after a slot freed: %v", err)
	}
	for i := 1; i < cap(parseSlots); i++ {
		<-parseSlots
	}
}

func TestErrTooLargeOnlyForLimits(t *testing.T) {
	_, err := loadErr(t, []byte(strings.Replace(minimal, "workforce: 3", "workforce: three", 1)))
	if errors.Is(err, ErrTooLarge) {
		t.Errorf("an ordinary error matches ErrTooLarge: %v", err)
	}
	if errors.Is(ErrorList{}, ErrBusy) {
		t.Error("an ErrorList matches ErrBusy")
	}
}

// bigModel is a valid model of a billing company k times a unit of one
// client, two systems, two data assets, a vendor, a flow, a role and a
// workflow step, written as a person or a generator would.
func bigModel(k int) []byte {
	var b strings.Builder
	b.WriteString(`version: 1
organization:
  name: Big Billing
  kind: billing_company
  workforce: 500
  patients_per_year: 900000
  claims_per_month: 200000
  avg_reimbursement: 120
`)
	// Each entry is written k times, {i} replaced by its number and {j} by
	// the next one's.
	section := func(name, entry string) {
		b.WriteString(name + ":\n")
		for i := 0; i < k; i++ {
			b.WriteString(strings.NewReplacer("{i}", strconv.Itoa(i), "{j}", strconv.Itoa((i+1)%k)).Replace(entry))
		}
	}
	section("clients", "  - {id: c-{i}, name: Client Practice {i}, state: OH, patients: 7800, claims_per_month: 1950, baa: {status: signed, signed: 2025-11-01, expires: 2028-11-01, breach_notice_days: 5}}\n")
	section("systems", `  - id: pm-{i}
    name: Practice management {i}
    kind: pm_billing
    hosting: cloud
    vendor: v-{i}
    mfa: all
    data: [claims-{i}, era-{i}]
    endpoints:
      - {protocol: tls, address: "pm{i}.example:443"}
`)
	section("data", "  - {id: claims-{i}, kind: claims_837}\n  - {id: era-{i}, kind: remittance_835}\n")
	section("vendors", "  - {id: v-{i}, name: Vendor {i}, baa: {status: signed}}\n")
	section("flows", "  - {id: f-{i}, from: pm-{i}, to: pm-{j}, data: [claims-{i}], channel: sftp, stage: edi_submission}\n")
	section("roles", "  - {id: r-{i}, name: Biller {i}, kind: biller, headcount: 3, access: [{system: pm-{i}, level: write}]}\n")
	section("workflow", "  - {id: w-{i}, stage: edi_submission, role: r-{i}, system: pm-{i}, action: Submit claims, data: [claims-{i}]}\n")
	return []byte(b.String())
}

// worstShapes are models as costly as the limits let through, one for each
// way of spending them.
func worstShapes() map[string][]byte {
	const n = MaxNodes - 1000
	return map[string][]byte{
		// The realistic worst: a valid model just under the node limit.
		"big-valid": bigModel(n / 210),
		// One flow list of scalars: most decoded values per token.
		"flat-flow": []byte(minimalHead + "systems: [{id: s, name: n, kind: ehr, data: [" + strings.Repeat("d, ", n/2) + "d]}]\n"),
		// The same in block style.
		"block-list": []byte(minimalHead + "systems:\n  - id: s\n    name: n\n    kind: ehr\n    data:\n" + strings.Repeat("      - d\n", n/2)),
		// Empty systems: most structs per token.
		"empty-structs": []byte(minimalHead + "systems: [" + strings.Repeat("{}, ", n/3) + "{}]\n"),
		// Aliases expanded up to the limit.
		"alias-fan": aliasFan(1000, MaxNodes/1005-2),
		// Deep nesting under the longest keys, up to the path limit.
		// (two tokens a leaf, each carrying the whole path).
		"long-paths": longKeyPaths(MaxDepth-2, maxKeyLen, maxPathBytes/(2*((MaxDepth-2)*pathWeight(maxKeyLen)+seqWeight))-50),
		// Mappings as wide as allowed: the parser copies the rest of a block
		// mapping at each key.
		"wide-mappings": []byte(minimalHead + "systems:\n" + strings.Repeat("  -\n"+manyKeys("    ", maxKeys), n/(3*maxKeys+1))),
		// Comments only.
		"comments": []byte(minimal + strings.Repeat("# a comment\n", n-200)),
		// The largest file, one scalar.
		"long-scalar": []byte(strings.Replace(minimal, "  name: Test Practice\n",
			"  name: Test Practice\n  security_official: |\n"+strings.Repeat("    "+strings.Repeat("x", 95)+"\n", (MaxFileSize-4096)/100), 1)),
	}
}

// TestWorstShapesAccepted checks that each worst shape passes the limits, so
// that BenchmarkLoadWorst measures what a server may really be made to do.
// With -shapes-dir it writes them out for `rcmguard validate`.
func TestWorstShapesAccepted(t *testing.T) {
	for name, data := range worstShapes() {
		_, err := Load(name+".yaml", data)
		if errors.Is(err, ErrTooLarge) || err != nil && strings.Contains(err.Error(), "deeper than") {
			t.Errorf("%s: refused by a limit: %.300v", name, err)
		}
		if name == "big-valid" && err != nil {
			t.Errorf("big-valid: %.500v", err)
		}
		if *shapesDir != "" {
			if err := os.WriteFile(filepath.Join(*shapesDir, name+".yaml"), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// BenchmarkLoadWorst loads each worst accepted shape; docs/performance.md
// has the figures and the peak memory of `rcmguard validate` on them.
func BenchmarkLoadWorst(b *testing.B) {
	for name, data := range worstShapes() {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				Load(name+".yaml", data)
			}
		})
	}
}

// BenchmarkLoadHostile refuses the hostile files of issue 8.
func BenchmarkLoadHostile(b *testing.B) {
	for name, data := range map[string][]byte{"nested-200KB": nestedFlow(50_000), "alias-fan-32KB": aliasFan(2000, 4000)} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Load(name+".yaml", data)
			}
		})
	}
}

// FuzzTokenBound checks that tokenBound never counts fewer tokens than the
// lexer makes, which is what lets Load refuse a file before lexing it. The
// lexer adds an Invalid token where it gives up on a construct; the parser
// refuses the file at the first, so those are not counted.
func FuzzTokenBound(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte("%YAML a b c d\n--- x y z\nk: &a b c d e\nj: !t a b c\nl: *a b c\n[a b, c d]\n\"q\" r s\n<< a b\n...00\n"))
	f.Add(nestedFlow(20))
	f.Add(aliasFan(3, 3))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		for _, tk := range lexer.Tokenize(string(data)) {
			if tk.Type != token.InvalidType {
				n++
			}
		}
		if bound := tokenBound(data); n > bound {
			t.Fatalf("%d tokens, bound %d", n, bound)
		}
	})
}
