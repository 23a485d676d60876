package audit

import (
	"context"
	"errors"
	"fmt"

	"rcmguard/internal/store"
)

// Why a Log guards its appends: an entry appended to a chain whose tail
// was cut and whose head was rewritten gets a fresh, valid signature, and
// the tampering then verifies. So a Log never extends or re-signs a chain
// it has not checked: every Append first checks the signed head and the
// entries since the point this Log last verified (or, in a process that
// has verified nothing yet, since the last signed checkpoint). A Log that
// finds the chain broken refuses every later Append and Resign: the
// change they belong to fails, and the server serves reads only.

// ErrChainBroken matches (errors.Is) every *BreakError, and so every Append
// or Resign refused because the chain does not verify.
var ErrChainBroken = errors.New("audit: chain broken")

// Is makes a *BreakError match ErrChainBroken.
func (e *BreakError) Is(target error) bool { return target == ErrChainBroken }

// Broken is the event a Log raises, once, when it finds its chain broken.
// It is the hook for the monitoring design's critical alert D17 ("our
// audit chain broken"); until alerts exist the server logs it at error
// level.
type Broken struct {
	Break BreakError
	// During names the operation that found it: "verify" (Check),
	// "append" or "re-sign".
	During string
}

// OnBreak sets the function called with the Broken event. It runs once per
// Log, outside any lock, on the goroutine that found the break.
func OnBreak(f func(Broken)) Option { return func(l *Log) { l.onBreak = f } }

// Broken returns the break this Log found, or nil while the chain holds.
// Once set it stays: only a restart after the administrator has dealt with
// the database clears it.
func (l *Log) Broken() *BreakError {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.broken == nil {
		return nil
	}
	b := *l.broken
	return &b
}

// Check verifies the whole committed chain, as Verify does, and makes this
// Log hold on to the head it found: from then on every Append checks that
// the chain it extends still begins with that head, so entries removed
// behind the server's back are caught even when the head was replaced
// with an older, validly signed one. A break found here makes the Log
// refuse every Append and Resign. Run it at start-up and periodically.
func (l *Log) Check(ctx context.Context, st *store.Store) (Report, error) {
	if b := l.Broken(); b != nil {
		return Report{}, b
	}
	l.mu.Lock()
	known, tracked := l.known, l.tracked
	l.mu.Unlock()
	var anchor *Anchor
	if tracked {
		anchor = &known
	}
	rep, err := l.Verify(ctx, st, anchor)
	var be *BreakError
	if errors.As(err, &be) {
		l.markBroken(*be, "verify")
		return rep, err
	}
	if err != nil {
		return rep, err
	}
	l.advance(rep.Head)
	return rep, nil
}

// markBroken records the first break and raises the event once.
func (l *Log) markBroken(be BreakError, during string) {
	l.mu.Lock()
	first := l.broken == nil
	if first {
		l.broken = &be
	}
	l.mu.Unlock()
	if first && l.onBreak != nil {
		l.onBreak(Broken{Break: be, During: during})
	}
}

// advance remembers a committed head this Log has verified. Heads only
// move forward; an older one is ignored here and caught by checkTail.
func (l *Log) advance(a Anchor) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.tracked || a.Seq > l.known.Seq {
		l.known, l.tracked = a, true
	}
}

// refuse returns the error of an operation on a chain already known to be
// broken, or nil.
func (l *Log) refuse(op string) error {
	if b := l.Broken(); b != nil {
		return fmt.Errorf("audit: %s refused, the chain does not verify: %w", op, b)
	}
	return nil
}

// tailReader is what checking the recent chain reads, inside the
// appending transaction.
type tailReader interface {
	AuditEntries(ctx context.Context, after int64, limit int) ([]store.AuditRow, error)
	AuditCheckpointsAfter(ctx context.Context, after int64) ([]store.AuditSeal, error)
	LastAuditCheckpoint(ctx context.Context) (store.AuditSeal, error)
}

// checkTail verifies, before an append, that head is validly signed and
// that the entries from this Log's last verified head (or the last
// checkpoint) up to it are intact and end exactly there. It returns a
// *BreakError when they are not. first says no entry was appended in this
// transaction yet, so head is committed state and may be remembered.
func (l *Log) checkTail(ctx context.Context, r tailReader, head store.AuditSeal, first bool) error {
	l.mu.Lock()
	known, tracked := l.known, l.tracked
	l.mu.Unlock()
	from := Anchor{Seq: 0, Hash: genesis}
	switch {
	case tracked && head.Seq < known.Seq:
		return &BreakError{head.Seq + 1, fmt.Sprintf("log truncated: the head moved back from entry %d, verified earlier, to entry %d", known.Seq, head.Seq)}
	case tracked:
		from = known
	default:
		cp, err := r.LastAuditCheckpoint(ctx)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return fmt.Errorf("audit: check the chain's tail: %w", err)
		case cp.Seq > head.Seq:
			return &BreakError{head.Seq + 1, fmt.Sprintf("log truncated: a checkpoint exists at entry %d", cp.Seq)}
		case !l.verifySig(kindCheckpoint, cp):
			return &BreakError{cp.Seq, "checkpoint signature does not verify" + l.keyHint(cp)}
		default:
			from = Anchor{Seq: cp.Seq, Hash: cp.Hash}
		}
	}
	if err := l.verifySegment(ctx, r, from, head); err != nil {
		return err
	}
	if first {
		hash := head.Hash
		if head.Seq == 0 {
			hash = genesis
		}
		l.advance(Anchor{Seq: head.Seq, Hash: hash})
	}
	return nil
}

// verifySegment checks the entries from the trusted entry from (itself
// included) to head: no gap, no edit, no entry beyond the head, and the
// head signed and equal to the last entry.
func (l *Log) verifySegment(ctx context.Context, r tailReader, from Anchor, head store.AuditSeal) error {
	if head.Seq > 0 && !l.verifySig(kindHead, head) {
		return &BreakError{head.Seq, "the head's signature does not verify" + l.keyHint(head)}
	}
	cps, err := r.AuditCheckpointsAfter(ctx, from.Seq)
	if err != nil {
		return fmt.Errorf("audit: check the chain's tail: %w", err)
	}
	for _, cp := range cps {
		if cp.Seq > head.Seq {
			return &BreakError{head.Seq + 1, fmt.Sprintf("log truncated: a checkpoint exists at entry %d", cp.Seq)}
		}
	}
	w := l.newWalk(from, head.Seq, cps)
	after := from.Seq
	if from.Seq > 0 {
		// Read the trusted entry too: it must still be there, unchanged.
		after = from.Seq - 1
	}
	for {
		rows, err := r.AuditEntries(ctx, after, verifyPage)
		if err != nil {
			return fmt.Errorf("audit: check the chain's tail: %w", err)
		}
		for _, row := range rows {
			switch {
			case row.Seq == from.Seq && from.Seq > 0:
				if row.Hash != from.Hash {
					return &BreakError{row.Seq, "differs from the entry verified earlier"}
				}
				if h, err := entryHash(row); err != nil || h != row.Hash {
					return &BreakError{row.Seq, "content does not match its hash (edited)"}
				}
			case from.Seq > 0 && after < from.Seq && row.Seq != from.Seq:
				return &BreakError{from.Seq, "the entry verified earlier is missing"}
			case row.Seq > head.Seq:
				return &BreakError{row.Seq, "an entry exists beyond the signed head"}
			default:
				if err := w.step(row); err != nil {
					return err
				}
			}
			after = row.Seq
		}
		if len(rows) < verifyPage {
			break
		}
	}
	if from.Seq > 0 && after < from.Seq {
		return &BreakError{from.Seq, "the entry verified earlier is missing"}
	}
	return w.finish(head)
}
