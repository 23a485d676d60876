package cli

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"rcmguard/internal/evidence"
	"rcmguard/internal/model"
	"rcmguard/internal/probe"
)

const probeUsage = `probe tls|ssh|ftp|smtp HOST:PORT [flags]
       rcmguard probe --model FILE [flags]

Checks where PHI travels: TLS versions, cipher suites and certificate
(judged against Mozilla's intermediate profile), SSH/SFTP algorithms and
authentication methods (judged like ssh-audit), FTP without AUTH TLS and
SMTP without STARTTLS. --format json writes evidence for
'rcmguard assess --evidence'.`

func runProbe(e *env, args []string) int {
	fs := e.newFlagSet("probe", probeUsage)
	format := fs.String("format", "text", "output format: text or json")
	timeout := fs.Duration("timeout", 10*time.Second, "limit for each connection, read and write")
	modelPath := fs.String("model", "", "probe every endpoint declared in this model `file`")
	failOn := fs.String("fail-on", "", "exit 1 when a finding reaches this `level` (info, low, medium, high, critical)")
	caFile := fs.String("ca-file", "", "verify certificates against the CAs in this PEM `file` instead of the system roots")
	serverName := fs.String("servername", "", "host `name` for SNI and the certificate check (default: the address's host)")
	noSTARTTLS := fs.Bool("no-starttls", false, "do not run the TLS checks after SMTP STARTTLS")
	if ok, status := e.parseFlags(fs, args); !ok {
		return status
	}
	if *format != "text" && *format != "json" {
		e.errorf("probe", "unknown format %q (want text or json)", *format)
		return exitInvalid
	}
	if *timeout <= 0 {
		e.errorf("probe", "--timeout must be positive")
		return exitInvalid
	}
	threshold := -1
	if *failOn != "" {
		sev, err := evidence.ParseSeverity(*failOn)
		if err != nil {
			e.errorf("probe", "--fail-on: %v", err)
			return exitInvalid
		}
		threshold, _ = sev.Rank()
	}

	targets, ok := e.probeTargets("probe", *modelPath, fs.Args())
	if !ok {
		return exitInvalid
	}
	opts := probe.Options{Timeout: *timeout, ServerName: *serverName, SkipSTARTTLS: *noSTARTTLS, Now: e.now}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			e.errorf("probe", "--ca-file: %v", err)
			return exitInvalid
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			e.errorf("probe", "--ca-file %s: no PEM certificates", *caFile)
			return exitInvalid
		}
		opts.Roots = pool
	}

	results := probe.ProbeAll(context.Background(), targets, opts)
	var err error
	if *format == "json" {
		err = probe.NewDocument(results).WriteJSON(e.stdout)
	} else {
		err = writeProbeText(e.stdout, results)
	}
	if err != nil {
		e.errorf("probe", "%v", err)
		return exitInvalid
	}
	if threshold >= 0 {
		for _, r := range results {
			if rank, _ := r.Worst().Rank(); rank >= threshold {
				return exitFailOn
			}
		}
	}
	return exitOK
}

// probeTargets reads the endpoints from the model or from the command line.
func (e *env) probeTargets(cmd, modelPath string, args []string) ([]probe.Target, bool) {
	if modelPath != "" {
		if len(args) != 0 {
			e.errorf(cmd, "give either --model FILE or PROTOCOL HOST:PORT, not both")
			return nil, false
		}
		m, err := model.LoadFile(modelPath)
		if err != nil {
			e.errorf(cmd, "%v", err)
			return nil, false
		}
		var targets []probe.Target
		for _, ep := range m.Endpoints() {
			targets = append(targets, probe.Target{Protocol: ep.Protocol, Address: ep.Address, Element: ep.Element})
		}
		if len(targets) == 0 {
			e.errorf(cmd, "%s declares no endpoints (systems[].endpoints or flows[].endpoint)", modelPath)
			return nil, false
		}
		return targets, true
	}
	if len(args) != 2 {
		e.errorf(cmd, "want PROTOCOL HOST:PORT or --model FILE (run 'rcmguard probe -h')")
		return nil, false
	}
	if !slices.Contains(probe.Protocols, args[0]) {
		e.errorf(cmd, "unknown protocol %q (want %s)", args[0], strings.Join(probe.Protocols, ", "))
		return nil, false
	}
	return []probe.Target{{Protocol: args[0], Address: args[1]}}, true
}

// writeProbeText prints each endpoint with its findings, worst first.
func writeProbeText(w io.Writer, results []probe.Result) error {
	var b strings.Builder
	counts := map[evidence.Severity]int{}
	for i, r := range results {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s %s", r.Protocol, r.Address)
		if r.Element != "" {
			fmt.Fprintf(&b, " (%s)", r.Element)
		}
		b.WriteString("\n")
		for _, d := range r.Details() {
			fmt.Fprintf(&b, "  %s\n", d)
		}
		facts := slices.Clone(r.Facts)
		slices.SortStableFunc(facts, func(a, c evidence.Fact) int {
			ra, _ := a.Severity.Rank()
			rc, _ := c.Severity.Rank()
			return rc - ra
		})
		for _, f := range facts {
			fmt.Fprintf(&b, "  %-8s %-24s %s\n", f.Severity, f.Check, f.Summary)
			if f.Check == probe.CheckUnreachable {
				fmt.Fprintf(&b, "  %-8s %-24s %s\n", "", "", f.Attrs["error"])
			}
			if f.Severity != evidence.SeverityInfo {
				counts[f.Severity]++
			}
		}
	}
	var parts []string
	for _, s := range []evidence.Severity{evidence.SeverityCritical, evidence.SeverityHigh, evidence.SeverityMedium, evidence.SeverityLow} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	summary := "no findings"
	if len(parts) > 0 {
		summary = "findings: " + strings.Join(parts, ", ")
	}
	fmt.Fprintf(&b, "\n%d endpoint(s) probed; %s\n", len(results), summary)
	_, err := io.WriteString(w, b.String())
	return err
}
