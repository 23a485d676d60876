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
// truncation. anchor may be nil. Given the Store itself, it reads one
// snapshot (store.ReadConsistent): servers appending meanwhile must not
// make the head, the checkpoints and the entries disagree.
func (l *Log) Verify(ctx context.Context, s reader, anchor *Anchor) (Report, error) {
	if st, ok := s.(*store.Store); ok {
		var rep Report
		err := st.ReadConsistent(ctx, func(r *store.Reader) (err error) {
			rep, err = l.verify(ctx, r, anchor)
			return err
		})
		return rep, err
	}
	return l.verify(ctx, s, anchor)
}

func (l *Log) verify(ctx context.Context, s reader, anchor *Anchor) (Report, error) {
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
	w := l.newWalk(Anchor{Seq: 0, Hash: genesis}, head.Seq, cps)
	for {
		rows, err := s.AuditEntries(ctx, w.next-1, verifyPage)
		if err != nil {
			return rep, fmt.Errorf("audit: verify: %w", err)
		}
		for _, r := range rows {
			if r.Seq > head.Seq {
				break
			}
			if err := w.step(r); err != nil {
				return rep, err
			}
			if anchor != nil && r.Seq == anchor.Seq && r.Hash != anchor.Hash {
				return rep, &BreakError{r.Seq, "differs from the anchor recorded outside the database"}
			}
		}
		if len(rows) < verifyPage || w.next > head.Seq {
			break
		}
	}
	if err := w.finish(head); err != nil {
		return rep, err
	}
	for _, cp := range cps {
		if cp.Seq > head.Seq {
			return rep, &BreakError{head.Seq + 1, fmt.Sprintf("log truncated: a checkpoint exists at entry %d", cp.Seq)}
		}
	}
	last := w.next - 1
	if anchor != nil && anchor.Seq > last {
		return rep, &BreakError{last + 1, fmt.Sprintf("log truncated: the anchor records entry %d", anchor.Seq)}
	}
	rep.Entries = last
	rep.Checkpoints = w.checkpoints
	rep.Head = Anchor{Seq: last, Hash: w.prev}
	return rep, nil
}

// walk checks consecutive entries from a trusted starting point: each must
// follow the one before, link to it, match its own hash and, at every
// checkpoint distance, match its signed checkpoint.
type walk struct {
	l           *Log
	prev        string // hash of the last entry accepted (genesis before the first)
	next        int64  // the seq the next entry must have
	cpAt        map[int64]store.AuditSeal
	checkpoints int
}

// newWalk starts after from and takes the checkpoints up to the head.
func (l *Log) newWalk(from Anchor, head int64, cps []store.AuditSeal) *walk {
	w := &walk{l: l, prev: from.Hash, next: from.Seq + 1, cpAt: map[int64]store.AuditSeal{}}
	for _, cp := range cps {
		if cp.Seq <= head {
			w.cpAt[cp.Seq] = cp
		}
	}
	return w
}

func (w *walk) step(r store.AuditRow) error {
	if r.Seq != w.next {
		return &BreakError{w.next, fmt.Sprintf("entry missing or out of order (next stored entry is %d)", r.Seq)}
	}
	if r.PrevHash != w.prev {
		return &BreakError{r.Seq, "does not link to the entry before it"}
	}
	h, err := entryHash(r)
	if err != nil || h != r.Hash {
		return &BreakError{r.Seq, "content does not match its hash (edited)"}
	}
	if r.Seq%w.l.every == 0 {
		cp, ok := w.cpAt[r.Seq]
		switch {
		case !ok:
			return &BreakError{r.Seq, "its checkpoint is missing"}
		case cp.Hash != r.Hash:
			return &BreakError{r.Seq, "differs from its signed checkpoint"}
		case !w.l.verifySig(kindCheckpoint, cp):
			return &BreakError{r.Seq, "checkpoint signature does not verify" + w.l.keyHint(cp)}
		}
		w.checkpoints++
	}
	w.prev, w.next = r.Hash, r.Seq+1
	return nil
}

// finish checks that the walk ended at the signed head.
func (w *walk) finish(head store.AuditSeal) error {
	last := w.next - 1
	if last != head.Seq {
		return &BreakError{last + 1, fmt.Sprintf("log truncated: the head records %d entries, %d found", head.Seq, last)}
	}
	if last > 0 && (head.Hash != w.prev || !w.l.verifySig(kindHead, head)) {
		return &BreakError{last, "the signed head does not match the last entry" + w.l.keyHint(head)}
	}
	return nil
}
