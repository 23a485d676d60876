package probe

import (
	"bufio"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// sshdConfig is what differs between the weak and the strong test servers.
type sshdConfig struct {
	hostKeys []string // "ed25519", "ecdsa", "rsa1024", "rsa3072"
	lines    []string // sshd_config lines
}

var weakSSHD = sshdConfig{
	hostKeys: []string{"rsa1024", "ecdsa"},
	lines: []string{
		"KexAlgorithms diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,ecdh-sha2-nistp256,curve25519-sha256",
		"HostKeyAlgorithms ssh-rsa,rsa-sha2-256,ecdsa-sha2-nistp256",
		"Ciphers 3des-cbc,aes128-cbc,aes256-ctr,chacha20-poly1305@openssh.com",
		"MACs hmac-md5,hmac-sha1,hmac-sha2-256,hmac-sha1-etm@openssh.com",
		"PasswordAuthentication yes",
		"KbdInteractiveAuthentication yes",
	},
}

var strongSSHD = sshdConfig{
	hostKeys: []string{"ed25519"},
	lines: []string{
		"KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256",
		"HostKeyAlgorithms ssh-ed25519",
		"Ciphers aes256-gcm@openssh.com,aes128-ctr",
		"MACs hmac-sha2-256-etm@openssh.com",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
	},
}

// startSSHD runs Debian's sshd on a spare 127.0.0.1 port with its own
// configuration and host keys, and returns its address once it listens.
func startSSHD(t *testing.T, cfg sshdConfig) string {
	t.Helper()
	bin := needTool(t, "sshd")
	if os.Geteuid() == 0 {
		// sshd insists on its privilege-separation directory when run as
		// root; Debian creates it only when the service starts.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	conf := []string{
		"ListenAddress 127.0.0.1",
		"PidFile none",
		"UsePAM no",
		"StrictModes no",
		"AuthorizedKeysFile none",
		"PubkeyAuthentication yes",
		"LogLevel INFO",
	}
	for _, k := range cfg.hostKeys {
		p := filepath.Join(dir, "host_"+k)
		writeHostKey(t, p, k)
		conf = append(conf, "HostKey "+p)
	}
	conf = append(conf, cfg.lines...)
	cfgPath := filepath.Join(dir, "sshd_config")
	if err := os.WriteFile(cfgPath, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	port := sparePort(t)
	cmd := exec.Command(bin, "-D", "-e", "-f", cfgPath, "-p", strconv.Itoa(port))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sshd: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// sshd logs "Server listening on 127.0.0.1 port N." once it accepts;
	// waiting for that line, not for a fixed time, keeps the test
	// independent of the machine's speed.
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		var log []string
		for sc.Scan() {
			log = append(log, sc.Text())
			if strings.Contains(sc.Text(), "Server listening on 127.0.0.1 port "+strconv.Itoa(port)) {
				ready <- nil
				for sc.Scan() {
				}
				return
			}
		}
		ready <- fmt.Errorf("sshd exited before listening:\n%s", strings.Join(log, "\n"))
	}()
	select {
	case err := <-ready:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("sshd did not start listening within 60s")
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// sparePort asks the kernel for a free port on 127.0.0.1. Another process
// could take it before sshd binds; sshd then exits and the test says so.
func sparePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func writeHostKey(t *testing.T, path, kind string) {
	t.Helper()
	var key crypto.PrivateKey
	switch kind {
	case "ed25519":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	case "ecdsa":
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	case "rsa1024":
		key = rsaKey(t, 1024)
	case "rsa3072":
		key = rsaKey(t, 3072)
	default:
		t.Fatalf("unknown host key kind %q", kind)
	}
	blk, err := ssh.MarshalPrivateKey(key, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(blk), 0o600); err != nil {
		t.Fatal(err)
	}
}
