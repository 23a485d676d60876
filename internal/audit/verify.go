package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"rcmguard/internal/store"
)

// BreakError reports the first entry at which the chain stops verifying.
type BreakError struct {
	Seq    int64
	Reason string
}

func (e *BreakError) Error() string {
	return fmt.Sprintf("audit: chain broken at entry %d: %s", e.Seq, e.Reason)
}

// Anchor is a (seq, hash) pair recorded outside the database, for example
// from an earlier "rcmguard audit verify". Verify checks the chain still
// holds it, which catches a database replaced wholesale or rolled back.
type Anchor struct {
	Seq  int64
	Hash string
}

// ParseAnchor reads "SEQ:HASH".
func ParseAnchor(s string) (Anchor, error) {
	seq, hash, ok := strings.Cut(s, ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || err != nil || n < 1 || len(hash) != 64 {
		return Anchor{}, fmt.Errorf("audit: anchor must be SEQ:HASH (as printed by audit verify)")
	}
	return Anchor{Seq: n, Hash: strings.ToLower(hash)}, nil
}

func (a Anchor) String() string { return fmt.Sprintf("%d:%s", a.Seq, a.Hash) }

// Report summarises a successful verification.
type Report struct {
	Entries     int64
	Checkpoints int
	Head        Anchor
}

// reader is what Verify needs from the store.
type reader interface {
	AuditHead(ctx context.Context) (store.AuditSeal, error)
	AuditEntries(ctx context.Context, after int64, limit int) ([]store.AuditRow, error)
	AuditCheckpoints(ctx context.Context) ([]store.AuditSeal, error)
}

const verifyPage = 2000

// Verify walks the whole chain up to the head it reads first (entries
// appended meanwhile are left for the next run) and returns a *BreakError
// naming the first bad entry on any edit, deletion, reordering or
// truncation. anchor may be nil.
func (l *Log) Verify(ctx context.Context, s reader, anchor *Anchor) (Report, error) {
	var rep Report
	head, err := s.AuditHead(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return rep, &BreakError{1, "the chain head record is missing"}
	}
	if err != nil {
		return rep, fmt.Errorf("audit: verify: %w", err)
	}
	cps, err := s.AuditCheckpoints(ctx)
	if err != nil {
		return rep, fmt.Errorf("audit: verify: %w", err)
	}
	cpAt := map[int64]store.AuditSeal{}
	for _, cp := range cps {
		if cp.Seq <= head.Seq {
			cpAt[cp.Seq] = cp
		}
	}
	prev, next := genesis, int64(1)
	for {
		rows, err := s.AuditEntries(ctx, next-1, verifyPage)
		if err != nil {
			return rep, fmt.Errorf("audit: verify: %w", err)
		}
		for _, r := range rows {
			if r.Seq > head.Seq {
				break
			}
			if r.Seq != next {
				return rep, &BreakError{next, fmt.Sprintf("entry missing or out of order (next stored entry is %d)", r.Seq)}
			}
			if r.PrevHash != prev {
				return rep, &BreakError{r.Seq, "does not link to the entry before it"}
			}
			h, err := entryHash(r)
			if err != nil || h != r.Hash {
				return rep, &BreakError{r.Seq, "content does not match its hash (edited)"}
			}
			if r.Seq%l.every == 0 {
				cp, ok := cpAt[r.Seq]
				switch {
				case !ok:
					return rep, &BreakError{r.Seq, "its checkpoint is missing"}
				case cp.Hash != r.Hash:
					return rep, &BreakError{r.Seq, "differs from its signed checkpoint"}
				case !l.verifySig(kindCheckpoint, cp):
					return rep, &BreakError{r.Seq, "checkpoint signature does not verify"}
				}
				rep.Checkpoints++
			}
			if anchor != nil && r.Seq == anchor.Seq && r.Hash != anchor.Hash {
				return rep, &BreakError{r.Seq, "differs from the anchor recorded outside the database"}
			}
			prev, next = r.Hash, r.Seq+1
		}
		if len(rows) < verifyPage || next > head.Seq {
			break
		}
	}
	last := next - 1
	if last != head.Seq {
		return rep, &BreakError{last + 1, fmt.Sprintf("log truncated: the head records %d entries, %d found", head.Seq, last)}
	}
	if last > 0 && (head.Hash != prev || !l.verifySig(kindHead, head)) {
		return rep, &BreakError{last, "the signed head does not match the last entry"}
	}
	for _, cp := range cps {
		if cp.Seq > head.Seq {
			return rep, &BreakError{head.Seq + 1, fmt.Sprintf("log truncated: a checkpoint exists at entry %d", cp.Seq)}
		}
	}
	if anchor != nil && anchor.Seq > last {
		return rep, &BreakError{last + 1, fmt.Sprintf("log truncated: the anchor records entry %d", anchor.Seq)}
	}
	rep.Entries = last
	rep.Head = Anchor{Seq: last, Hash: prev}
	if last == 0 {
		rep.Head.Hash = genesis
	}
	return rep, nil
}
