package probe

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// The SSH probe reads the server's algorithm lists from its SSH_MSG_KEXINIT
// (RFC 4253 7.1), which every server sends in clear right after the version
// exchange. Reading the message itself, rather than negotiating with a
// client library, shows everything the server offers, including algorithms
// no modern client would agree to.

// SSHReport is what the SSH probe observed.
type SSHReport struct {
	Banner                    string   `json:"banner"`
	KEX                       []string `json:"kex"`
	HostKeyAlgorithms         []string `json:"host_key_algorithms"`
	CiphersClientToServer     []string `json:"ciphers_client_to_server"`
	CiphersServerToClient     []string `json:"ciphers_server_to_client"`
	MACsClientToServer        []string `json:"macs_client_to_server"`
	MACsServerToClient        []string `json:"macs_server_to_client"`
	CompressionClientToServer []string `json:"compression_client_to_server"`
	CompressionServerToClient []string `json:"compression_server_to_client"`
	// StrictKex is set when the server offers the Terrapin countermeasure.
	StrictKex bool `json:"strict_kex"`
	// AuthMethods are the methods the server lists after a "none" request.
	AuthMethods []string `json:"auth_methods,omitempty"`
	// AuthError says why the methods could not be learned.
	AuthError string `json:"auth_error,omitempty"`
	// HostKey describes the key the server proved it holds.
	HostKey *SSHHostKey `json:"host_key,omitempty"`
}

// SSHHostKey is the host key seen during a full key exchange.
type SSHHostKey struct {
	Type        string `json:"type"`
	Bits        int    `json:"bits"`
	Fingerprint string `json:"fingerprint"`
}

const (
	sshMsgDisconnect = 1
	sshMsgIgnore     = 2
	sshMsgDebug      = 4
	sshMsgKexInit    = 20

	// maxSSHPacket is RFC 4253 6.1's minimum every implementation must
	// accept; a KEXINIT is far smaller.
	maxSSHPacket = 35000
	// maxBannerLines bounds the lines a server may send before its version
	// line (RFC 4253 4.2 allows some).
	maxBannerLines = 32

	strictKexServer = "kex-strict-s-v00@openssh.com"
	probeBanner     = "SSH-2.0-rcmguard_probe"
)

// kexInit is a parsed SSH_MSG_KEXINIT.
type kexInit struct {
	kex, hostKey                 []string
	ciphersCS, ciphersSC         []string
	macsCS, macsSC               []string
	compressionCS, compressionSC []string
	languagesCS, languagesSC     []string
}

func probeSSH(ctx context.Context, addr string, opts Options) (*SSHReport, error) {
	rep, err := readKexInit(ctx, addr, opts)
	if err != nil {
		return nil, err
	}
	methods, hk, err := sshAuthMethods(ctx, addr, opts)
	if err != nil {
		rep.AuthError = err.Error()
	}
	rep.AuthMethods = methods
	rep.HostKey = hk
	return rep, nil
}

func readKexInit(ctx context.Context, addr string, opts Options) (*SSHReport, error) {
	c, err := dial(ctx, addr, opts)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	deadline(c, opts)
	if _, err := io.WriteString(c, probeBanner+"\r\n"); err != nil {
		return nil, fmt.Errorf("probe: ssh %s: send banner: %w", addr, err)
	}
	br := bufio.NewReader(c)
	if _, err := br.Peek(1); err == nil {
		if err := checkGreeting(br, ProtoSSH); err != nil {
			return nil, err
		}
	}
	banner, err := readSSHBanner(br)
	if err != nil {
		return nil, fmt.Errorf("probe: ssh %s: %w", addr, err)
	}
	// Our own KEXINIT goes out before we wait for the server's, as a real
	// client's would: some servers hold theirs back until they see one.
	deadline(c, opts)
	if _, err := c.Write(sshPacket(ourKexInit())); err != nil {
		return nil, fmt.Errorf("probe: ssh %s: send kexinit: %w", addr, err)
	}
	var ki kexInit
	for i := 0; ; i++ {
		deadline(c, opts)
		payload, err := readSSHPacket(br)
		if err != nil {
			return nil, fmt.Errorf("probe: ssh %s: %w", addr, err)
		}
		if len(payload) == 0 || i > 8 {
			return nil, fmt.Errorf("probe: ssh %s: no kexinit from server", addr)
		}
		if payload[0] == sshMsgIgnore || payload[0] == sshMsgDebug {
			continue
		}
		if payload[0] == sshMsgDisconnect {
			return nil, fmt.Errorf("probe: ssh %s: server disconnected before key exchange", addr)
		}
		if ki, err = parseKexInit(payload); err != nil {
			return nil, fmt.Errorf("probe: ssh %s: %w", addr, err)
		}
		break
	}
	rep := &SSHReport{
		Banner:                    banner,
		HostKeyAlgorithms:         ki.hostKey,
		CiphersClientToServer:     ki.ciphersCS,
		CiphersServerToClient:     ki.ciphersSC,
		MACsClientToServer:        ki.macsCS,
		MACsServerToClient:        ki.macsSC,
		CompressionClientToServer: ki.compressionCS,
		CompressionServerToClient: ki.compressionSC,
	}
	for _, k := range ki.kex {
		if k == strictKexServer {
			rep.StrictKex = true
		}
		// The strict-kex and ext-info markers are signals, not key
		// exchange methods; keeping them out of KEX keeps judging simple.
		if strings.HasPrefix(k, "kex-strict-") || strings.HasPrefix(k, "ext-info-") {
			continue
		}
		rep.KEX = append(rep.KEX, k)
	}
	return rep, nil
}

// readSSHBanner returns the server's version line, skipping the other lines
// a server may send first.
func readSSHBanner(br *bufio.Reader) (string, error) {
	for i := 0; i < maxBannerLines; i++ {
		line, err := readBoundedLine(br, 255)
		if err != nil {
			return "", fmt.Errorf("read banner: %w", err)
		}
		if strings.HasPrefix(line, "SSH-") {
			if !strings.HasPrefix(line, "SSH-2.0-") && !strings.HasPrefix(line, "SSH-1.99-") {
				return line, fmt.Errorf("unsupported protocol version %q", clip(line))
			}
			return line, nil
		}
	}
	return "", fmt.Errorf("no SSH version line in %d lines", maxBannerLines)
}

func readBoundedLine(br *bufio.Reader, max int) (string, error) {
	var b []byte
	for {
		c, err := br.ReadByte()
		if err != nil {
			return "", err
		}
		if c == '\n' {
			return strings.TrimRight(string(b), "\r"), nil
		}
		if len(b) >= max {
			return "", fmt.Errorf("line longer than %d bytes", max)
		}
		b = append(b, c)
	}
}

// readSSHPacket reads one unencrypted binary packet and returns its payload.
func readSSHPacket(r io.Reader) ([]byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("read packet: %w", err)
	}
	n := int(binary.BigEndian.Uint32(hdr[:4]))
	pad := int(hdr[4])
	if n < 1 || n > maxSSHPacket || pad+1 > n {
		return nil, fmt.Errorf("bad packet length %d (padding %d)", n, pad)
	}
	rest := make([]byte, n-1)
	if _, err := io.ReadFull(r, rest); err != nil {
		return nil, fmt.Errorf("read packet: %w", err)
	}
	return rest[:n-1-pad], nil
}

// sshPacket frames a payload with random padding to an 8-byte boundary.
func sshPacket(payload []byte) []byte {
	pad := 8 - (5+len(payload))%8
	if pad < 4 {
		pad += 8
	}
	out := binary.BigEndian.AppendUint32(nil, uint32(1+len(payload)+pad))
	out = append(out, byte(pad))
	out = append(out, payload...)
	padding := make([]byte, pad)
	// Padding content is not security-relevant before keys exist.
	_, _ = rand.Read(padding)
	return append(out, padding...)
}

// ourKexInit offers a broad set so the server has no reason to hang up
// before the probe has read its own list.
func ourKexInit() []byte {
	return marshalKexInit([10]string{
		"mlkem768x25519-sha256,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group16-sha512,diffie-hellman-group14-sha256,diffie-hellman-group14-sha1,diffie-hellman-group1-sha1,kex-strict-c-v00@openssh.com",
		"ssh-ed25519,rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-rsa,ssh-dss",
		"chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr,aes256-ctr,aes128-cbc,3des-cbc",
		"chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr,aes256-ctr,aes128-cbc,3des-cbc",
		"hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1",
		"hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1",
		"none", "none", "", "",
	})
}

// marshalKexInit builds an SSH_MSG_KEXINIT payload from its ten name-lists.
func marshalKexInit(lists [10]string) []byte {
	out := []byte{sshMsgKexInit}
	var cookie [16]byte
	_, _ = rand.Read(cookie[:])
	out = append(out, cookie[:]...)
	for _, l := range lists {
		out = binary.BigEndian.AppendUint32(out, uint32(len(l)))
		out = append(out, l...)
	}
	out = append(out, 0)           // first_kex_packet_follows
	return append(out, 0, 0, 0, 0) // reserved
}

// parseKexInit parses an SSH_MSG_KEXINIT payload.
func parseKexInit(p []byte) (kexInit, error) {
	var ki kexInit
	if len(p) < 1+16 || p[0] != sshMsgKexInit {
		return ki, fmt.Errorf("expected kexinit, got message %d", firstByte(p))
	}
	b := p[17:]
	dst := []*[]string{&ki.kex, &ki.hostKey, &ki.ciphersCS, &ki.ciphersSC, &ki.macsCS, &ki.macsSC,
		&ki.compressionCS, &ki.compressionSC, &ki.languagesCS, &ki.languagesSC}
	for _, d := range dst {
		var err error
		if *d, b, err = parseNameList(b); err != nil {
			return ki, err
		}
	}
	if len(b) < 5 {
		return ki, fmt.Errorf("truncated kexinit")
	}
	return ki, nil
}

// parseNameList parses one RFC 4251 name-list and returns the rest.
func parseNameList(b []byte) ([]string, []byte, error) {
	if len(b) < 4 {
		return nil, nil, fmt.Errorf("truncated name-list")
	}
	n := binary.BigEndian.Uint32(b)
	b = b[4:]
	if uint64(n) > uint64(len(b)) {
		return nil, nil, fmt.Errorf("name-list length %d exceeds packet", n)
	}
	raw := b[:n]
	for _, c := range raw {
		if c < 0x21 || c > 0x7E {
			return nil, nil, fmt.Errorf("name-list has a non-printable byte 0x%02x", c)
		}
	}
	var names []string
	if n > 0 {
		for _, s := range strings.Split(string(raw), ",") {
			if s == "" {
				return nil, nil, fmt.Errorf("name-list has an empty name")
			}
			names = append(names, s)
		}
	}
	return names, b[n:], nil
}

func firstByte(p []byte) int {
	if len(p) == 0 {
		return -1
	}
	return int(p[0])
}
