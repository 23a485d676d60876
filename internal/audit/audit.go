// Package audit keeps rcmguard's tamper-evident audit log: a hash chain of
// entries in the store, whose head and periodic checkpoints are signed.
//
// Each entry commits to the one before it: hash = SHA-256(prev_hash ‖
// canonical entry). Editing, deleting or reordering entries breaks the chain
// at that entry. Cutting entries off the end is caught by the head record
// and the checkpoints, which are signed with an Ed25519 key derived from the
// data key (see signer.go for why Ed25519 rather than an HMAC).
//
// Append runs inside the caller's store transaction, so a state change and
// its audit entry commit together or not at all (the log fails closed).
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"rcmguard/internal/seal"
	"rcmguard/internal/store"
)

// DefaultCheckpointEvery is how many entries separate two checkpoints.
const DefaultCheckpointEvery = 1000

// genesis is the previous hash of the first entry.
var genesis = strings.Repeat("0", 64)

// Event is what a caller records. Details must never hold PHI, secrets or
// full identifiers: record IDs, counts and hints instead.
type Event struct {
	At          time.Time
	Actor       Actor  // who: "user:12", "cli:alice", "anonymous"
	WorkspaceID int64  // 0 when the event is not about one workspace
	Action      Action // what: "user.create", "auth.login.fail", "keys.rotate"
	Object      string // on what: "user:12", "assessment:7"
	Details     map[string]any
}

// Log appends to and verifies the chain. One Log serves a whole process:
// it remembers the last head it verified (guard.go).
type Log struct {
	kr      *seal.Keyring
	every   int64
	onBreak func(Broken)

	mu sync.Mutex
	// known is the last committed head this Log verified; tracked says
	// there is one.
	known   Anchor
	tracked bool
	// broken is the first break found; from then on nothing is appended.
	broken *BreakError
}

// Option configures a Log.
type Option func(*Log)

// CheckpointEvery sets the distance between checkpoints. Writers and the
// verifier must agree on it, so production code keeps the default; tests
// use small values to exercise checkpoints.
func CheckpointEvery(n int64) Option { return func(l *Log) { l.every = n } }

// New returns a Log signing with kr's current key and verifying with any
// key in kr.
func New(kr *seal.Keyring, opts ...Option) *Log {
	l := &Log{kr: kr, every: DefaultCheckpointEvery}
	for _, o := range opts {
		o(l)
	}
	if l.every < 1 {
		l.every = DefaultCheckpointEvery
	}
	return l
}

// Append adds ev to the chain inside tx, after checking the chain it
// extends (guard.go). When it fails, the caller must return the error so
// that the transaction, and the change it records, is rolled back; on a
// broken chain the error matches ErrChainBroken.
func (l *Log) Append(ctx context.Context, tx *store.Tx, ev Event) (store.AuditRow, error) {
	if ev.Actor == "" || ev.Action == "" {
		return store.AuditRow{}, errors.New("audit: append: actor and action are required")
	}
	if err := l.refuse("append " + string(ev.Action)); err != nil {
		return store.AuditRow{}, err
	}
	details := []byte("{}")
	if len(ev.Details) > 0 {
		var err error
		if details, err = json.Marshal(ev.Details); err != nil {
			return store.AuditRow{}, fmt.Errorf("audit: append %s: %w", ev.Action, err)
		}
	}
	head, err := tx.LockAuditHead(ctx)
	if err != nil {
		return store.AuditRow{}, fmt.Errorf("audit: append %s: %w", ev.Action, err)
	}
	if err := l.checkTail(ctx, tx, head, !tx.Audited()); err != nil {
		var be *BreakError
		if errors.As(err, &be) {
			l.markBroken(*be, "append")
			return store.AuditRow{}, fmt.Errorf("audit: append %s refused, the chain does not verify: %w", ev.Action, err)
		}
		return store.AuditRow{}, fmt.Errorf("audit: append %s: %w", ev.Action, err)
	}
	prev := head.Hash
	if head.Seq == 0 {
		prev = genesis
	}
	r := store.AuditRow{
		Seq:         head.Seq + 1,
		At:          store.FormatTime(ev.At),
		Actor:       string(ev.Actor),
		WorkspaceID: ev.WorkspaceID,
		Action:      string(ev.Action),
		Object:      ev.Object,
		Details:     string(details),
		PrevHash:    prev,
	}
	if r.Hash, err = entryHash(r); err != nil {
		return r, fmt.Errorf("audit: append %s: %w", ev.Action, err)
	}
	newHead := store.AuditSeal{Seq: r.Seq, Hash: r.Hash}
	if newHead.KeyID, newHead.Signature, err = l.sign(kindHead, newHead); err != nil {
		return r, err
	}
	var cp *store.AuditSeal
	if r.Seq%l.every == 0 {
		cp = &store.AuditSeal{Seq: r.Seq, Hash: r.Hash, At: r.At}
		if cp.KeyID, cp.Signature, err = l.sign(kindCheckpoint, *cp); err != nil {
			return r, err
		}
	}
	if err := tx.AppendAudit(ctx, r, newHead, cp); err != nil {
		return r, fmt.Errorf("audit: append %s: %w", ev.Action, err)
	}
	return r, nil
}

// entryHash computes SHA-256(prev ‖ canonical entry). The canonical form is
// a version tag and every field length-prefixed, so no two different entries
// serialise alike.
func entryHash(r store.AuditRow) (string, error) {
	prev, err := hex.DecodeString(r.PrevHash)
	if err != nil || len(prev) != sha256.Size {
		return "", errors.New("malformed previous hash")
	}
	var b bytes.Buffer
	b.Write(prev)
	b.WriteString("rcmguard-audit-entry-v1")
	for _, f := range []string{strconv.FormatInt(r.Seq, 10), r.At, r.Actor, strconv.FormatInt(r.WorkspaceID, 10),
		r.Action, r.Object, r.Details} {
		b.Write(binary.AppendUvarint(nil, uint64(len(f))))
		b.WriteString(f)
	}
	sum := sha256.Sum256(b.Bytes())
	return hex.EncodeToString(sum[:]), nil
}

// Resign re-signs the head and every checkpoint with next's current key; key
// rotation calls it in the same transaction that re-seals the data. It
// first verifies the whole chain in that transaction: re-signing must
// never launder a tampered log into a freshly signed one.
func (l *Log) Resign(ctx context.Context, tx *store.Tx, next *seal.Keyring) error {
	if err := l.refuse("re-sign"); err != nil {
		return err
	}
	if _, err := l.Verify(ctx, tx, nil); err != nil {
		var be *BreakError
		if errors.As(err, &be) {
			l.markBroken(*be, "re-sign")
			return fmt.Errorf("audit: re-sign refused, the chain does not verify: %w", err)
		}
		return fmt.Errorf("audit: re-sign: %w", err)
	}
	nl := New(next, CheckpointEvery(l.every))
	err := tx.ResignAudit(ctx, func(kind string, s store.AuditSeal) (string, string, error) {
		return nl.sign(kind, s)
	})
	if err != nil {
		return fmt.Errorf("audit: re-sign: %w", err)
	}
	return nil
}
