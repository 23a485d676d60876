package cli

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rcmguard/internal/probe"
	"rcmguard/internal/probe/probetest"
)

// probeServeLines runs a line-oriented test server on 127.0.0.1: greet is sent
// first, then answer maps each received line to a reply ("" hangs up).
func probeServeLines(t *testing.T, greet string, answer func(line string) string) string {
	t.Helper()
	return probeServeConns(t, func(c net.Conn) {
		_, _ = io.WriteString(c, greet)
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			out := answer(strings.ToUpper(strings.TrimSpace(line)))
			if out == "" {
				return
			}
			_, _ = io.WriteString(c, out)
		}
	})
}

func probeServeConns(t *testing.T, handle func(net.Conn)) string { return probetest.Start(t, handle) }

// probePlainFTP is an FTP server without AUTH TLS.
func probePlainFTP(t *testing.T) string {
	return probeServeLines(t, "220 ready\r\n", func(l string) string {
		switch {
		case l == "FEAT":
			return "211-Features:\r\n SIZE\r\n211 End\r\n"
		case strings.HasPrefix(l, "AUTH"):
			return "502 not implemented\r\n"
		case l == "QUIT":
			return ""
		}
		return "500 what\r\n"
	})
}

// probePlainSMTP is an SMTP server without STARTTLS.
func probePlainSMTP(t *testing.T) string {
	return probeServeLines(t, "220 mail ESMTP\r\n", func(l string) string {
		switch {
		case strings.HasPrefix(l, "EHLO"):
			return "250-mail\r\n250 SIZE 1000\r\n"
		case l == "QUIT":
			return ""
		}
		return "502 what\r\n"
	})
}

func runProbeCLI(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	status = Main(args, strings.NewReader(""), &out, &errb)
	return status, out.String(), errb.String()
}

func TestProbeCommandText(t *testing.T) {
	addr := probePlainFTP(t)
	status, out, errOut := runProbeCLI(t, "probe", "ftp", addr)
	if status != exitOK {
		t.Fatalf("status = %d; want %d\n%s", status, exitOK, errOut)
	}
	for _, want := range []string{"ftp " + addr, "ftp.no-auth-tls", "high", "1 endpoint(s) probed; findings: 1 high"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if status, _, _ := runProbeCLI(t, "probe", "ftp", addr, "--fail-on", "high"); status != exitFailOn {
		t.Errorf("--fail-on high: status = %d; want %d", status, exitFailOn)
	}
	if status, _, _ := runProbeCLI(t, "probe", "ftp", addr, "--fail-on", "critical"); status != exitOK {
		t.Errorf("--fail-on critical: status = %d; want %d", status, exitOK)
	}
}

func TestProbeCommandModel(t *testing.T) {
	ftpAddr, smtpAddr := probePlainFTP(t), probePlainSMTP(t)
	modelYAML := `version: 1
organization:
  name: Test Practice
  kind: provider_practice
  workforce: 5
  patients_per_year: 100
  claims_per_month: 10
  avg_reimbursement: 100
systems:
  - id: pm
    name: Practice management
    kind: pm_billing
    endpoints:
      - {protocol: ftp, address: "FTP_ADDR"}
  - id: mail
    name: Mail
    kind: email
data:
  - id: claims
    kind: claims_837
roles:
  - id: biller
    name: Biller
    kind: front_desk
    headcount: 1
flows:
  - id: f-claims
    from: pm
    to: mail
    data: [claims]
    channel: sftp
    endpoint: {protocol: smtp, address: "SMTP_ADDR"}
`
	modelYAML = strings.NewReplacer("FTP_ADDR", ftpAddr, "SMTP_ADDR", smtpAddr).Replace(modelYAML)
	path := filepath.Join(t.TempDir(), "model.yaml")
	if err := os.WriteFile(path, []byte(modelYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	status, out, errOut := runProbeCLI(t, "probe", "--model", path, "--format", "json")
	if status != exitOK {
		t.Fatalf("status = %d\n%s", status, errOut)
	}
	facts, err := probe.ReadEvidence(strings.NewReader(out))
	if err != nil {
		t.Fatalf("ReadEvidence: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, f := range facts {
		if f.Severity != "info" {
			got[f.Check] = f.Target + " " + f.Attrs["element"]
		}
	}
	want := map[string]string{
		"ftp.no-auth-tls":  ftpAddr + " pm",
		"smtp.no-starttls": smtpAddr + " f-claims",
	}
	if len(got) != len(want) {
		t.Errorf("findings = %v; want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s on %q; want %q", k, got[k], v)
		}
	}
}

func TestProbeCommandCAFile(t *testing.T) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cli test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(0, 3, 0), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, leafKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12,
		Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER, caDER}, PrivateKey: leafKey}}}
	addr := probeServeConns(t, func(c net.Conn) { _ = tls.Server(c, cfg).Handshake() })
	caPath := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		args      []string
		untrusted bool
	}{
		{[]string{"--ca-file", caPath}, false},
		{nil, true},
	} {
		args := append([]string{"probe", "tls", addr, "--format", "json"}, tc.args...)
		status, out, errOut := runProbeCLI(t, args...)
		if status != exitOK {
			t.Fatalf("%v: status %d\n%s", args, status, errOut)
		}
		facts, err := probe.ReadEvidence(strings.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		untrusted := false
		for _, f := range facts {
			if f.Check == "tls.cert-untrusted" {
				untrusted = true
			}
			if f.Check == "tls.legacy-protocol" {
				t.Errorf("TLS 1.2+ server reported legacy: %s", f.Summary)
			}
		}
		if untrusted != tc.untrusted {
			t.Errorf("%v: tls.cert-untrusted = %v; want %v", tc.args, untrusted, tc.untrusted)
		}
	}
}

func TestProbeCommandUsage(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"probe"},
		{"probe", "tls"},
		{"probe", "gopher", "127.0.0.1:70"},
		{"probe", "tls", "127.0.0.1:443", "--format", "xml"},
		{"probe", "tls", "127.0.0.1:443", "--fail-on", "dire"},
		{"probe", "tls", "127.0.0.1:443", "--timeout", "0s"},
		{"probe", "tls", "127.0.0.1:443", "--ca-file", notPEM},
		{"probe", "--model", filepath.Join(dir, "missing.yaml")},
		{"probe", "--model", notPEM, "tls", "127.0.0.1:443"},
		{"probe", "--bogus"},
	} {
		status, out, errOut := runProbeCLI(t, args...)
		if status != exitInvalid {
			t.Errorf("%v: status = %d; want %d", args, status, exitInvalid)
		}
		if out != "" || errOut == "" {
			t.Errorf("%v: stdout %q, stderr %q; want only an error", args, out, errOut)
		}
	}
}
