package probe

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"slices"
	"testing"
	"time"
)

// serveLegacyTLS is a TLS front written here that speaks only as far as the
// server's first flight, at versions Go's TLS server no longer implements
// (SSL 3.0). It answers a ClientHello at an accepted version that offers one
// of its suites with ServerHello, Certificate and ServerHelloDone, and
// anything else with a protocol_version or handshake_failure alert.
func serveLegacyTLS(t *testing.T, versions, suites []uint16, chain [][]byte) string {
	return serve(t, func(c net.Conn) {
		hdr := make([]byte, 5)
		if _, err := io.ReadFull(c, hdr); err != nil {
			return
		}
		rec := make([]byte, binary.BigEndian.Uint16(hdr[3:]))
		if _, err := io.ReadFull(c, rec); err != nil || len(rec) < 4+2+32+1 {
			return
		}
		body := rec[4:]
		version := binary.BigEndian.Uint16(body)
		b := body[34:]
		b = b[1+int(b[0]):]
		n := int(binary.BigEndian.Uint16(b))
		var offered []uint16
		for i := 0; i < n; i += 2 {
			offered = append(offered, binary.BigEndian.Uint16(b[2+i:]))
		}
		alert := func(desc byte) { _, _ = c.Write([]byte{recordAlert, 3, 0, 0, 2, 2, desc}) }
		if !slices.Contains(versions, version) {
			alert(70)
			return
		}
		pick := -1
		for _, s := range offered {
			if slices.Contains(suites, s) {
				pick = int(s)
				break
			}
		}
		if pick < 0 {
			alert(40)
			return
		}
		var sh []byte
		sh = binary.BigEndian.AppendUint16(sh, version)
		sh = append(sh, make([]byte, 32)...)
		sh = append(sh, 0)
		sh = binary.BigEndian.AppendUint16(sh, uint16(pick))
		sh = append(sh, 0)
		var certs []byte
		for _, der := range chain {
			certs = appendUint24(certs, len(der))
			certs = append(certs, der...)
		}
		hs := func(typ byte, body []byte) []byte {
			return append(appendUint24([]byte{typ}, len(body)), body...)
		}
		flight := hs(hsServerHello, sh)
		flight = append(flight, hs(hsCertificate, append(appendUint24(nil, len(certs)), certs...))...)
		flight = append(flight, hs(hsServerHelloDone, nil)...)
		out := []byte{recordHandshake, byte(version >> 8), byte(version)}
		out = binary.BigEndian.AppendUint16(out, uint16(len(flight)))
		_, _ = c.Write(append(out, flight...))
	})
}

func TestProbeSSLv3(t *testing.T) {
	pki := newTestPKI(t)
	cert := pki.leaf(t, leafSpec{rsaBits: 2048})
	addr := serveLegacyTLS(t, []uint16{versionSSL30, versionTLS10},
		[]uint16{0x000A, 0x0005, 0x002F}, cert.Certificate)
	res := Probe(context.Background(), Target{Protocol: ProtoTLS, Address: addr},
		Options{Timeout: 10 * time.Second, Roots: pki.pool, Now: func() time.Time { return testNow }})
	if res.Error != "" {
		t.Fatalf("probe: %s", res.Error)
	}
	if want := []string{"SSLv3", "TLS1.0"}; !slices.Equal(res.TLS.Versions, want) {
		t.Errorf("versions = %v; want %v", res.TLS.Versions, want)
	}
	want := []string{"TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"}
	slices.Sort(want)
	for _, vc := range res.TLS.Ciphers {
		if got := slices.Sorted(slices.Values(vc.Suites)); !slices.Equal(got, want) {
			t.Errorf("%s suites = %v; want %v", vc.Version, got, want)
		}
	}
	var sslv3 bool
	for _, f := range res.Facts {
		if f.Check == CheckTLSLegacyProtocol && f.Attrs["version"] == "SSLv3" {
			sslv3 = f.Severity == "critical"
		}
	}
	if !sslv3 {
		t.Errorf("SSLv3 not reported critical%s", factSummaries(res.Facts))
	}
	// Go's TLS client cannot talk to this server, so the certificate comes
	// from the raw handshake; it is the CA-issued leaf and verifies.
	c := res.TLS.Certificate
	if c == nil {
		t.Fatalf("no certificate: %s", res.TLS.CertError)
	}
	if !c.Trusted || !c.HostnameMatch || c.KeyBits != 2048 || c.ChainLength != 2 {
		t.Errorf("certificate = %+v", c)
	}
}
