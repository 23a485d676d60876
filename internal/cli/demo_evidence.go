package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"rcmguard/internal/model"
	"rcmguard/internal/phiscan"
	"rcmguard/internal/phiscan/corpus"
	"rcmguard/internal/probe"
	"rcmguard/internal/x12"
	"rcmguard/internal/x12/x12gen"
)

// The demo gives every workspace evidence made the way the real commands
// make it: rcmguard scan over a small share of synthetic files, rcmguard
// edi inspect over a synthetic 837, and rcmguard probe against a local TLS
// server configured like a legacy portal. Nothing is read from the
// machine, and nothing leaves it.

// demoSite says where an example model keeps what the evidence is about: a
// location declared for its file share, under which the synthetic files
// are recorded as a scan on that server would record them, and a TLS
// endpoint it declares, for which the weak local server stands in.
type demoSite struct {
	share string
	tls   string
}

var demoSites = map[string]demoSite{
	"practice.yaml":        {share: "/srv/share", tls: "portal.clearpath.example:443"},
	"billing-company.yaml": {share: "/srv/ops", tls: "api.revcyclecloud.example:443"},
}

// demoEvidenceFile is one file as an evidence command writes it.
type demoEvidenceFile struct {
	name string
	data []byte
}

// demoClaimsName is the synthetic 837 under the share.
const demoClaimsName = "claims/837P-20261102.txt"

// demoISAPassword is the clearinghouse password the synthetic 837 carries
// in ISA04, as many practices' billing systems still send it. It is made
// up, and never shown: the inspector reports it without its value.
const demoISAPassword = "DEMO0000"

// demoCorpus is the synthetic people of the i-th demo workspace: names
// from short generic lists, identifiers from a seeded generator that pass
// the validators real ones do (SSA ranges, the MBI format, Luhn) so that
// the scanner reports them. None belongs to a real person.
func demoCorpus(i int) *corpus.Corpus {
	return corpus.GeneratePlain(uint64(7100+i), 3)
}

// demoShareFiles is what the demo's share holds: an A/R aging export and
// an application log from the corpus, and an 837 claim batch.
func demoShareFiles(i int) []corpus.File {
	var files []corpus.File
	for _, f := range demoCorpus(i).Files {
		if f.Name == "exports/aging.csv" || f.Name == "logs/eligibility.log" {
			files = append(files, f)
		}
	}
	claims, _ := io.ReadAll(x12gen.NewClaimStreamWith(6<<10, x12gen.Options{Password: demoISAPassword}))
	return append(files, corpus.File{Name: demoClaimsName, Data: claims})
}

// demoEvidence makes the three evidence files of the i-th demo workspace,
// whose model m was made from example. tlsAddr is the weak local TLS
// server.
func (e *env) demoEvidence(ctx context.Context, i int, example string, m *model.Model, tlsAddr string) ([]demoEvidenceFile, error) {
	site, ok := demoSites[example]
	if !ok {
		return nil, fmt.Errorf("demo evidence: no site for %s", example)
	}
	files := demoShareFiles(i)
	scan, err := e.demoScan(ctx, site.share, files)
	if err != nil {
		return nil, err
	}
	edi, err := demoInspect(site.share, files)
	if err != nil {
		return nil, err
	}
	pr, err := e.demoProbe(ctx, site.tls, m, tlsAddr)
	if err != nil {
		return nil, err
	}
	return []demoEvidenceFile{
		{"share-scan.jsonl", scan},
		{"claims-edi-inspect.json", edi},
		{"portal-probe.json", pr},
	}, nil
}

// demoScan writes the files to a temporary directory, scans it as
// `rcmguard scan DIR --format jsonl` does, records each path under share
// instead of the temporary directory, and removes the directory.
func (e *env) demoScan(ctx context.Context, share string, files []corpus.File) ([]byte, error) {
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
	sc := phiscan.New(phiscan.Options{Limits: phiscan.DefaultLimits(), Now: e.now()})
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

// demoInspect inspects the share's X12 files as `rcmguard edi inspect
// --format json` does.
func demoInspect(share string, files []corpus.File) ([]byte, error) {
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
		return nil, err
	}
	return out.Bytes(), nil
}

// demoProbe probes the model's declared endpoint at address as `rcmguard
// probe --model FILE --format json` would, every connection going to the
// weak local server instead; certificates are checked against no trusted
// root, as a self-signed one would fail against the system's.
func (e *env) demoProbe(ctx context.Context, address string, m *model.Model, tlsAddr string) ([]byte, error) {
	var targets []probe.Target
	for _, ep := range m.Endpoints() {
		if ep.Address == address && ep.Protocol == probe.ProtoTLS {
			targets = append(targets, probe.Target{Protocol: ep.Protocol, Address: ep.Address, Element: ep.Element})
		}
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("demo probe: the model declares no TLS endpoint %s", address)
	}
	opts := probe.Options{Timeout: 2 * time.Second, Roots: x509.NewCertPool(), Now: e.now,
		Dial: func(ctx context.Context, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", tlsAddr)
		}}
	var out bytes.Buffer
	if err := probe.NewDocument(probe.ProbeAll(ctx, targets, opts)).WriteJSON(&out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// startWeakTLS serves, on 127.0.0.1, TLS as a neglected portal does: TLS
// 1.0 to 1.2, CBC suites beside one AEAD suite, and a self-signed
// certificate for hosts. stop closes it and waits for its connections.
func startWeakTLS(hosts []string, now time.Time) (addr string, stop func(), err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.Unix()),
		Subject:      pkix.Name{CommonName: hosts[0], Organization: []string{"rcmguard demo"}},
		DNSNames:     hosts,
		NotBefore:    now.Add(-24 * time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", nil, err
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		MinVersion:   tls.VersionTLS10,
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				// The probe breaks off handshakes on purpose.
				_ = tls.Server(c, cfg).Handshake()
			}()
		}
	}()
	return ln.Addr().String(), func() { ln.Close(); wg.Wait() }, nil
}

// demoTLSHosts are the hosts of every demo site's TLS endpoint, for the
// weak server's certificate.
func demoTLSHosts() []string {
	var hosts []string
	for _, ex := range []string{"practice.yaml", "billing-company.yaml"} {
		h, _, _ := net.SplitHostPort(demoSites[ex].tls)
		hosts = append(hosts, h)
	}
	return hosts
}
