package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"rcmguard/internal/audit"
	"rcmguard/internal/auth"
	"rcmguard/internal/evidence"
	"rcmguard/internal/evidencefile"
	"rcmguard/internal/store"
)

// MaxEvidenceSize bounds one evidence file. Engines write one fact per
// file and kind (scan) or per check (edi, probe), so even a scan of a
// large share is a few megabytes; 32 MiB leaves a wide margin.
const MaxEvidenceSize = 32 << 20

// msgEvidenceTooLarge tells the person uploading what to do about a file
// over MaxEvidenceSize.
var msgEvidenceTooLarge = fmt.Sprintf("The file is larger than the %d MiB limit for evidence. Split the scan into smaller runs.", MaxEvidenceSize>>20)

// EvidenceTooLarge is the refusal of an evidence file over the limit, for
// adapters that learn the size before reading the file.
func EvidenceTooLarge() *Error {
	return &Error{Kind: ErrTooLarge, Field: "file", Msg: msgEvidenceTooLarge}
}

// AddEvidence checks a file, recognises it with the same readers as
// `rcmguard assess --evidence`, and stores its facts as a new evidence set
// of the workspace, audited. A file that is not evidence is refused with
// an *Error saying what to upload instead; what the readers said is not
// shown, since it may quote the file's content.
func (a *App) AddEvidence(ctx context.Context, who Actor, ws Scope, fileName string, data []byte) (store.EvidenceSet, error) {
	if err := a.Allowed(who, ws, auth.ActEvidenceUpload, ""); err != nil {
		return store.EvidenceSet{}, err
	}
	switch {
	case len(data) > MaxEvidenceSize:
		return store.EvidenceSet{}, EvidenceTooLarge()
	case len(bytes.TrimSpace(data)) == 0:
		return store.EvidenceSet{}, &Error{Kind: ErrInvalid, Field: "file", Msg: "The file is empty."}
	case !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0:
		return store.EvidenceSet{}, &Error{Kind: ErrUnsupported, Field: "file",
			Msg: "The file is not text. Upload the JSON or JSONL that an rcmguard command wrote, not the files it looked at."}
	}
	f, facts, err := evidencefile.Parse(data, MaxEvidenceSize)
	var nr *evidencefile.NotRecognisedError
	if errors.As(err, &nr) {
		return store.EvidenceSet{}, &Error{Kind: ErrInvalid, Field: "file", Err: err,
			Msg: "The file is not rcmguard evidence. Upload the output of rcmguard scan (--format jsonl or json), " +
				"rcmguard edi inspect --format json, rcmguard probe --format json, or an evidence facts file."}
	}
	if err != nil {
		return store.EvidenceSet{}, err
	}
	set := store.EvidenceSet{WorkspaceID: ws.WS.ID, Format: f.Name, FileName: EvidenceFileName(fileName), Facts: facts,
		UploadedBy: who.User.ID, Uploaded: a.now()}
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if set, err = tx.CreateEvidenceSet(ctx, set); err != nil {
			return err
		}
		return a.record(ctx, tx, who, ws, audit.EvidenceUpload, evidenceObject(set.ID),
			map[string]any{"format": set.Format, "file": set.FileName, "facts": set.FactCount, "bytes": len(data)})
	})
	return set, err
}

// EvidenceFileName keeps the last element of an uploaded file's name,
// printable and bounded, for the list.
func EvidenceFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == "/" {
		name = "upload"
	}
	if utf8.RuneCountInString(name) > 120 {
		name = string([]rune(name)[:120])
	}
	return name
}

// DeleteEvidence removes an evidence set of the workspace, audited; a set
// of another workspace is not found and nothing changes. The next
// assessment runs without it.
func (a *App) DeleteEvidence(ctx context.Context, who Actor, ws Scope, id int64) error {
	if err := a.Allowed(who, ws, auth.ActEvidenceUpload, ""); err != nil {
		return err
	}
	return a.st.InTx(ctx, func(tx *store.Tx) error {
		set, err := tx.EvidenceSet(ctx, ws.WS.ID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteEvidenceSet(ctx, ws.WS.ID, id); err != nil {
			return err
		}
		return a.record(ctx, tx, who, ws, audit.EvidenceDelete, evidenceObject(id),
			map[string]any{"format": set.Format, "file": set.FileName, "facts": set.FactCount})
	})
}

// ReadEvidenceSet returns an evidence set with its facts for a person to
// read. The facts are the sealed content of the set, so the read is
// recorded in the audit log. show is given the facts before the entry is
// written and says how many it will show with a value withheld (the
// adapter withholds any value holding an identifier in full); if the
// entry cannot be written, the caller gets an error and shows nothing.
func (a *App) ReadEvidenceSet(ctx context.Context, who Actor, ws Scope, id int64, show func([]evidence.Fact) (withheld int)) (store.EvidenceSet, error) {
	if err := a.Allowed(who, ws, auth.ActEvidenceView, ""); err != nil {
		return store.EvidenceSet{}, err
	}
	set, err := a.st.EvidenceSetFacts(ctx, ws.WS.ID, id)
	if err != nil {
		return set, err
	}
	withheld := show(set.Facts)
	err = a.st.InTx(ctx, func(tx *store.Tx) error {
		return a.record(ctx, tx, who, ws, audit.EvidenceRead, evidenceObject(set.ID),
			map[string]any{"facts": len(set.Facts), "withheld": withheld})
	})
	return set, err
}

func evidenceObject(id int64) string { return "evidence:" + strconv.FormatInt(id, 10) }
