package seal

import (
	"bufio"
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// The backup envelope: a magic line, a JSON header, then AES-256-GCM chunks
// under a key derived for backups. Each chunk's nonce is a random prefix and
// the chunk number, and its associated data binds the header hash, the chunk
// number and whether it is the last chunk, so chunks cannot be reordered,
// dropped, or the stream cut short. The last chunk carries the SHA-256 of
// the plaintext as a checksum over the whole snapshot.
const (
	streamMagic = "RCMGUARD-BACKUP-1\n"
	chunkSize   = 1 << 20
	maxHeader   = 1 << 16
)

// ErrBackupCorrupt means a backup failed its integrity checks.
var ErrBackupCorrupt = errors.New("seal: backup is corrupt or was altered")

// StreamHeader describes an encrypted backup; it is authenticated.
type StreamHeader struct {
	KeyID   string    `json:"key_id"`
	Created time.Time `json:"created"`
	Kind    string    `json:"kind"`
	Nonce   []byte    `json:"nonce_prefix"`
}

func backupAEAD(k *Key) (cipher.AEAD, error) {
	bk, err := k.Derive("rcmguard backup v1", 32)
	if err != nil {
		return nil, err
	}
	return newGCM(bk)
}

func chunkNonce(prefix []byte, n uint32) []byte {
	return binary.BigEndian.AppendUint32(bytes.Clone(prefix), n)
}

func chunkAAD(headerSum []byte, n uint32, last bool) []byte {
	aad := binary.BigEndian.AppendUint32(bytes.Clone(headerSum), n)
	if last {
		return append(aad, 1)
	}
	return append(aad, 0)
}

// EncryptStream writes r to w as an encrypted backup under kr's current key.
func EncryptStream(w io.Writer, r io.Reader, kr *Keyring, kind string, now time.Time) error {
	k := kr.Current()
	aead, err := backupAEAD(k)
	if err != nil {
		return err
	}
	h := StreamHeader{KeyID: k.ID(), Created: now.UTC(), Kind: kind, Nonce: make([]byte, 8)}
	if _, err := rand.Read(h.Nonce); err != nil {
		return fmt.Errorf("seal: backup nonce: %w", err)
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("seal: backup header: %w", err)
	}
	hsum := sha256.Sum256(hb)
	bw := bufio.NewWriter(w)
	bw.WriteString(streamMagic)
	bw.Write(binary.BigEndian.AppendUint32(nil, uint32(len(hb))))
	bw.Write(hb)
	sum := sha256.New()
	buf := make([]byte, chunkSize)
	var n uint32
	writeChunk := func(pt []byte, last bool) {
		ct := aead.Seal(nil, chunkNonce(h.Nonce, n), pt, chunkAAD(hsum[:], n, last))
		flag := byte(0)
		if last {
			flag = 1
		}
		bw.WriteByte(flag)
		bw.Write(binary.BigEndian.AppendUint32(nil, uint32(len(ct))))
		bw.Write(ct)
		n++
	}
	for {
		m, err := io.ReadFull(r, buf)
		if m > 0 {
			sum.Write(buf[:m])
			writeChunk(buf[:m], false)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("seal: backup read: %w", err)
		}
	}
	writeChunk(sum.Sum(nil), true)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("seal: backup write: %w", err)
	}
	return nil
}

// DecryptStream checks and decrypts a backup from r into w. On any error w
// may hold a partial plaintext the caller must discard.
func DecryptStream(w io.Writer, r io.Reader, kr *Keyring) (StreamHeader, error) {
	var h StreamHeader
	br := bufio.NewReader(r)
	magic := make([]byte, len(streamMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != streamMagic {
		return h, fmt.Errorf("%w: not an rcmguard backup", ErrBackupCorrupt)
	}
	var l4 [4]byte
	if _, err := io.ReadFull(br, l4[:]); err != nil {
		return h, ErrBackupCorrupt
	}
	hl := binary.BigEndian.Uint32(l4[:])
	if hl == 0 || hl > maxHeader {
		return h, ErrBackupCorrupt
	}
	hb := make([]byte, hl)
	if _, err := io.ReadFull(br, hb); err != nil {
		return h, ErrBackupCorrupt
	}
	if err := json.Unmarshal(hb, &h); err != nil || len(h.Nonce) != 8 {
		return h, ErrBackupCorrupt
	}
	k, ok := kr.Key(h.KeyID)
	if !ok {
		return h, fmt.Errorf("%w (backup key %s)", ErrUnknownKey, h.KeyID)
	}
	aead, err := backupAEAD(k)
	if err != nil {
		return h, err
	}
	hsum := sha256.Sum256(hb)
	sum := sha256.New()
	for n := uint32(0); ; n++ {
		flag, err := br.ReadByte()
		if err != nil || flag > 1 {
			return h, fmt.Errorf("%w: truncated", ErrBackupCorrupt)
		}
		if _, err := io.ReadFull(br, l4[:]); err != nil {
			return h, fmt.Errorf("%w: truncated", ErrBackupCorrupt)
		}
		cl := binary.BigEndian.Uint32(l4[:])
		if cl > chunkSize+uint32(aead.Overhead()) {
			return h, ErrBackupCorrupt
		}
		ct := make([]byte, cl)
		if _, err := io.ReadFull(br, ct); err != nil {
			return h, fmt.Errorf("%w: truncated", ErrBackupCorrupt)
		}
		pt, err := aead.Open(nil, chunkNonce(h.Nonce, n), ct, chunkAAD(hsum[:], n, flag == 1))
		if err != nil {
			return h, fmt.Errorf("%w: chunk %d fails authentication", ErrBackupCorrupt, n)
		}
		if flag == 1 {
			if !bytes.Equal(pt, sum.Sum(nil)) {
				return h, fmt.Errorf("%w: checksum mismatch", ErrBackupCorrupt)
			}
			if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
				return h, fmt.Errorf("%w: data after the end", ErrBackupCorrupt)
			}
			return h, nil
		}
		sum.Write(pt)
		if _, err := w.Write(pt); err != nil {
			return h, fmt.Errorf("seal: backup write: %w", err)
		}
	}
}
