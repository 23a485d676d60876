package evidencefile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rcmguard/internal/evidence"
	"rcmguard/internal/probe"
)

// The files in testdata were written by the commands themselves:
// scan.jsonl and scan.json by `rcmguard scan` on a small aging report,
// edi.json by `rcmguard edi inspect` on a public 834 sample.
func TestParseRecognisesEachFormat(t *testing.T) {
	var probeDoc bytes.Buffer
	err := probe.NewDocument([]probe.Result{{Protocol: "tls", Address: "sftp.example.org:443", Facts: []evidence.Fact{{
		Source: evidence.SourceProbe, Check: "tls.legacy-protocol", Target: "sftp.example.org:443",
		Severity: evidence.SeverityHigh, Summary: "accepts TLS 1.0"}}}}).WriteJSON(&probeDoc)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file, format string
		source       evidence.Source
		data         []byte
	}{
		{"scan.jsonl", "scan", evidence.SourceScan, nil},
		{"scan.json", "scan", evidence.SourceScan, nil},
		{"edi.json", "edi", evidence.SourceEDI, nil},
		{"facts.jsonl", "facts", "", nil},
		{"probe.json", "probe", evidence.SourceProbe, probeDoc.Bytes()},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data := tc.data
			if data == nil {
				var err error
				if data, err = os.ReadFile(filepath.Join("testdata", tc.file)); err != nil {
					t.Fatal(err)
				}
			}
			f, facts, err := Parse(data, 1<<20)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if f.Name != tc.format {
				t.Errorf("format %q; want %q", f.Name, tc.format)
			}
			if len(facts) == 0 {
				t.Fatal("no facts")
			}
			for i, fact := range facts {
				if err := fact.Validate(); err != nil {
					t.Errorf("fact %d: %v", i, err)
				}
				if tc.source != "" && fact.Source != tc.source {
					t.Errorf("fact %d from %q; want %q", i, fact.Source, tc.source)
				}
				if i > 0 && facts[i-1].Target > fact.Target && facts[i-1].Source == fact.Source {
					t.Errorf("facts not in evidence.Sort order at %d", i)
				}
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	for name, data := range map[string]string{
		"not json":      "name,ssn\nJane,123-45-6789\n",
		"other json":    `{"hello": "world"}`,
		"bad fact":      `{"source":"scan","check":"","target":"x","severity":"high","summary":"s"}`,
		"wrong edi doc": `{"format":"rcmguard.other/v1","files":[]}`,
	} {
		_, facts, err := Parse([]byte(data), 1<<20)
		var nr *NotRecognisedError
		if !errors.As(err, &nr) || facts != nil {
			t.Errorf("%s: %v, %d facts; want NotRecognisedError", name, err, len(facts))
			continue
		}
		if len(nr.Reasons) != len(Formats()) || !strings.Contains(err.Error(), "as scan --format jsonl|json") {
			t.Errorf("%s: reasons %q; want one per format", name, nr.Reasons)
		}
	}
	data, err := os.ReadFile(filepath.Join("testdata", "scan.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Parse(data, int64(len(data)-1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v; want ErrTooLarge", err)
	}
	if _, facts, err := Read(bytes.NewReader(data), int64(len(data))); err != nil || len(facts) == 0 {
		t.Errorf("Read at exactly the limit: %d facts, %v", len(facts), err)
	}
	if _, _, err := Read(bytes.NewReader(data), int64(len(data)-1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Read over the limit: %v; want ErrTooLarge", err)
	}
}

// TestParseMasksIdentifiers feeds each engine's format with identifiers in
// the paths it names and in hand-written values: none comes out in full.
func TestParseMasksIdentifiers(t *testing.T) {
	const path = `/share/Doe Jane 512-44-7821 4111111111111111.csv`
	files := map[string]string{
		"scan": `{"path":"` + path + `","line":1,"kind":"ssn","confidence":1,"excerpt":"ssn: ***-**-7821","file_type":"csv","severity":"high","phi":true}` + "\n",
		"edi": `{"format":"rcmguard.edi-inspect/v1","files":[{"path":"` + path + `","bytes":1,"segments":1,"interchanges":[],` +
			`"findings":[{"check":"x12-in-logs","severity":"high","segment":1,"offset":0,"message":"found in ` + path + `"}]}]}`,
		"facts": `{"source":"scan","check":"phi.ssn","target":"` + path + `","severity":"high","summary":"patient SSN 512-44-7821 found",` +
			`"attrs":{"card":"4111 1111 1111 1111","mbi":"1EG4-TE5-MK73","count":"1"}}` + "\n",
	}
	for format, data := range files {
		f, facts, err := Parse([]byte(data), 1<<20)
		if err != nil || f.Name != format || len(facts) == 0 {
			t.Fatalf("%s: Parse = %q, %d facts, %v", format, f.Name, len(facts), err)
		}
		for _, fact := range facts {
			all := fact.Target + "|" + fact.Summary
			for _, v := range fact.Attrs {
				all += "|" + v
			}
			for _, id := range []string{"512-44-7821", "4111111111111111", "4111 1111 1111 1111", "1EG4-TE5-MK73"} {
				if strings.Contains(all, id) {
					t.Errorf("%s: fact %s holds %s in full: %s", format, fact.Check, id, all)
				}
			}
			if fact.Target != `/share/Doe Jane ***-**-7821 ************1111.csv` {
				t.Errorf("%s: target %q; want the path masked", format, fact.Target)
			}
		}
	}
}
