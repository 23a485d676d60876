// Package demo makes what `rcmguard demo` shows that a real installation
// would get from the outside world: evidence files made the way the real
// commands make them — rcmguard scan over a small share of synthetic
// files, rcmguard edi inspect over a synthetic 837, and rcmguard probe
// against a local TLS server configured like a legacy portal. Nothing is
// read from the machine, and nothing leaves it. It holds the generators
// and the fake server so that no production package needs them.
package demo

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"rcmguard/internal/model"
	"rcmguard/internal/phiscan"
	"rcmguard/internal/phiscan/corpus"
	"rcmguard/internal/probe"
	"rcmguard/internal/probe/probetest"
	"rcmguard/internal/x12"
	"rcmguard/internal/x12/x12gen"
)

// Site says where an example model keeps what the evidence is about: a
// location declared for its file share, under which the synthetic files
// are recorded as a scan on that server would record them, and a TLS
// endpoint it declares, for which the weak local server stands in.
type Site struct {
	Share string
	TLS   string
}

// Sites are the evidence sites of the bundled examples, by file name.
var Sites = map[string]Site{
	"practice.yaml":        {Share: "/srv/share", TLS: "portal.clearpath.example:443"},
	"billing-company.yaml": {Share: "/srv/ops", TLS: "api.revcyclecloud.example:443"},
}

// File is one evidence file as an evidence command writes it.
type File struct {
	Name string
	Data []byte
}

// ClaimsName is the synthetic 837 under the share.
const ClaimsName = "claims/837P-20261102.txt"

// ISAPassword is the clearinghouse password the synthetic 837 carries in
// ISA04, as many practices' billing systems still send it. It is made up,
// and never shown: the inspector reports it without its value.
const ISAPassword = "DEMO0000"

// Corpus is the synthetic people of the i-th demo workspace: names from
// short generic lists, identifiers from a seeded generator that pass the
// validators real ones do (SSA ranges, the MBI format, Luhn) so that the
// scanner reports them. None belongs to a real person.
func Corpus(i int) *corpus.Corpus {
	return corpus.GeneratePlain(uint64(7100+i), 3)
}

// ShareFiles is what the i-th demo workspace's share holds: an A/R aging
// export and an application log from the corpus, and an 837 claim batch.
func ShareFiles(i int) []corpus.File {
	var files []corpus.File
	for _, f := range Corpus(i).Files {
		if f.Name == "exports/aging.csv" || f.Name == "logs/eligibility.log" {
			files = append(files, f)
		}
	}
	claims, _ := io.ReadAll(x12gen.NewClaimStreamWith(6<<10, x12gen.Options{Password: ISAPassword}))
	return append(files, corpus.File{Name: ClaimsName, Data: claims})
}

// ShareIdentifiers are the full identifiers on the i-th workspace's
// share, each in the forms a leak would take (as written and normalised),
// for the tests that make sure none of them is shown or stored in clear.
func ShareIdentifiers(i int) []string {
	onShare := map[string]bool{}
	for _, f := range ShareFiles(i) {
		onShare[f.Name] = true
	}
	var out []string
	for _, l := range Corpus(i).Labels {
		if !onShare[l.Path] {
			continue
		}
		switch l.Kind {
		case "ssn":
			out = append(out, l.Norm[:3]+"-"+l.Norm[3:5]+"-"+l.Norm[5:], l.Norm)
		case "mbi", "hicn", "payment_card", "bank_account", "member_id", "email":
			out = append(out, l.Norm)
		}
	}
	return out
}

// StartPortal starts the weak local TLS server that stands in for every
// site's TLS endpoint; stop closes it and waits for its connections.
func StartPortal(now time.Time) (addr string, stop func(), err error) {
	var hosts []string
	for _, ex := range []string{"practice.yaml", "billing-company.yaml"} {
		h, _, _ := net.SplitHostPort(Sites[ex].TLS)
		hosts = append(hosts, h)
	}
	cfg, err := probetest.LegacyPortal(hosts, now)
	if err != nil {
		return "", nil, fmt.Errorf("demo portal: %w", err)
	}
	s, err := probetest.ServeTLS(cfg)
	if err != nil {
		return "", nil, fmt.Errorf("demo portal: %w", err)
	}
	return s.Addr(), s.Close, nil
}

// Evidence makes the three evidence files of the i-th demo workspace,
// whose model m was made from example; portal is the address StartPortal
// returned.
func Evidence(ctx context.Context, i int, example string, m *model.Model, portal string, now func() time.Time) ([]File, error) {
	site, ok := Sites[example]
	if !ok {
		return nil, fmt.Errorf("demo evidence: no site for %s", example)
	}
	files := ShareFiles(i)
	scan, err := scanShare(ctx, site.Share, files, now())
	if err != nil {
		return nil, err
	}
	edi, err := inspect(site.Share, files)
	if err != nil {
		return nil, err
	}
	pr, err := probePortal(ctx, site.TLS, m, portal, now)
	if err != nil {
		return nil, err
	}
	return []File{
		{"share-scan.jsonl", scan},
		{"claims-edi-inspect.json", edi},
		{"portal-probe.json", pr},
	}, nil
}

// scanShare writes the files to a temporary directory, scans it as
// `rcmguard scan DIR --format jsonl` does, records each path under share
// instead of the temporary directory, and removes the directory.
func scanShare(ctx context.Context, share string, files []corpus.File, now time.Time) ([]byte, error) {
	dir, err := os.MkdirTemp("", "rcmguard-demo-share-")
	if err != nil {
		return nil, fmt.Errorf("demo scan: %w", err)
	}
	defer os.RemoveAll(dir)
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return nil, fmt.Errorf("demo scan: %w", err)
		}
		if err := os.WriteFile(p, f.Data, 0o600); err != nil {
			return nil, fmt.Errorf("demo scan: %w", err)
		}
	}
	root := filepath.ToSlash(dir)
	onShare := func(p string) string {
		if rest, ok := strings.CutPrefix(filepath.ToSlash(p), root); ok {
			return share + rest
		}
		return p
	}
	var out bytes.Buffer
	w, err := phiscan.NewWriter("jsonl", &out)
	if err != nil {
		return nil, err
	}
	var werr error
	sc := phiscan.New(phiscan.Options{Limits: phiscan.DefaultLimits(), Now: now})
	err = sc.Scan(ctx, []string{dir}, 2, func(r phiscan.Result) {
		r.Path = onShare(r.Path)
		for i := range r.Files {
			r.Files[i].Summary.Path = onShare(r.Files[i].Summary.Path)
			for j := range r.Files[i].Findings {
				r.Files[i].Findings[j].Path = onShare(r.Files[i].Findings[j].Path)
			}
		}
		if werr == nil {
			werr = w.Write(r)
		}
	})
	if err == nil {
		err = werr
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("demo scan: %w", err)
	}
	return out.Bytes(), nil
}

// inspect inspects the share's X12 files as `rcmguard edi inspect
// --format json` does.
func inspect(share string, files []corpus.File) ([]byte, error) {
	rep := &x12.Report{Format: x12.ReportFormat, Files: []*x12.File{}}
	in := x12.NewInspector()
	for _, f := range files {
		if !x12.Sniff(f.Data) {
			continue
		}
		xf, err := in.Inspect(share+"/"+f.Name, bytes.NewReader(f.Data))
		if err != nil {
			return nil, fmt.Errorf("demo edi inspect %s: %w", f.Name, err)
		}
		rep.Files = append(rep.Files, xf)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return nil, fmt.Errorf("demo edi inspect: %w", err)
	}
	return out.Bytes(), nil
}

// probePortal probes the model's declared endpoint at address as
// `rcmguard probe --model FILE --format json` would, every connection
// going to the weak local server instead; certificates are checked
// against no trusted root, as a self-signed one would fail against the
// system's.
func probePortal(ctx context.Context, address string, m *model.Model, portal string, now func() time.Time) ([]byte, error) {
	var targets []probe.Target
	for _, ep := range m.Endpoints() {
		if ep.Address == address && ep.Protocol == probe.ProtoTLS {
			targets = append(targets, probe.Target{Protocol: ep.Protocol, Address: ep.Address, Element: ep.Element})
		}
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("demo probe: the model declares no TLS endpoint %s", address)
	}
	opts := probe.Options{Timeout: 2 * time.Second, Roots: x509.NewCertPool(), Now: now,
		Dial: func(ctx context.Context, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", portal)
		}}
	var out bytes.Buffer
	if err := probe.NewDocument(probe.ProbeAll(ctx, targets, opts)).WriteJSON(&out); err != nil {
		return nil, fmt.Errorf("demo probe: %w", err)
	}
	return out.Bytes(), nil
}
