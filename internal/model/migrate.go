package model

import (
	"bytes"
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Migration is a model file rewritten to the current version.
type Migration struct {
	From, To int
	// Data is the rewritten file; the input itself when nothing changed.
	Data []byte
	// Changes are what was rewritten, in file order, placed in the input.
	Changes []Change
	// Steps say what each version since From changed in meaning.
	Steps []string
}

// Changed reports whether the file needed rewriting.
func (m *Migration) Changed() bool { return len(m.Changes) > 0 }

// Migrate rewrites a model file as the current version: each migration
// since the file's version, then the version key (added when the file has
// none). Comments and layout are kept; a file already current comes back
// as it was. The file must load as it stands — its meaning is what a
// migration preserves — and the rewritten file must load as the same
// model, or nothing is returned. Errors are an ErrorList, as from Load.
func Migrate(name string, data []byte) (*Migration, error) {
	mig, _, err := builtin.migrate(name, data)
	return mig, err
}

// MigrateFile reads a model file and migrates it like Migrate.
func MigrateFile(path string) (*Migration, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return Migrate(path, data)
}

// LoadCurrent reads a stored model: the text rewritten as the current
// version (Migrate) and the model it holds, whose positions point into
// that text. It is how the server reads a model it stored under an older
// rcmguard, so that what it shows, exports and edits is current.
func LoadCurrent(name string, data []byte) ([]byte, *Model, error) {
	mig, m, err := builtin.migrate(name, data)
	if err != nil {
		return nil, nil, err
	}
	if mig.Changed() {
		if m, err = builtin.load(name, mig.Data); err != nil {
			return nil, nil, err
		}
	}
	return mig.Data, m, nil
}

// migrate returns the migration and the model loaded from data as given.
func (reg registry) migrate(name string, data []byte) (*Migration, *Model, error) {
	before, err := reg.load(name, data)
	if err != nil {
		return nil, nil, err
	}
	if before.read.stated && before.read.version == reg.current {
		// The common case, for the server on every read: nothing to do.
		return &Migration{From: reg.current, To: reg.current, Data: data}, before, nil
	}
	// The printer knows only LF line ends; a CRLF file is rewritten with
	// LF and given its CRLF back at the end.
	crlf := bytes.Contains(data, []byte("\r\n"))
	text := data
	if crlf {
		text = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	file, err := parser.ParseBytes(text, parser.ParseComments)
	if err != nil {
		return nil, nil, ErrorList{syntaxError(name, err)}
	}
	var body ast.Node
	for _, doc := range file.Docs {
		if doc.Body != nil {
			body = doc.Body
		}
	}
	from, pair, verr := reg.fileVersion(name, body)
	if verr != nil {
		return nil, nil, ErrorList{*verr}
	}
	printed := file.String()
	ed := &editor{}
	if err := reg.upgrade(body, from, pair, ed); err != nil {
		return nil, nil, ErrorList{{File: name, Msg: err.Error()}}
	}
	if pair == nil {
		p, err := addPair(body, "version", strconv.Itoa(reg.current), true)
		if err != nil {
			return nil, nil, ErrorList{{File: name, Msg: err.Error()}}
		}
		ed.note(p.Key, "version", "added `version: %d`; a file without one is version 1", reg.current)
	}
	mig := &Migration{From: from, To: reg.current, Data: data, Changes: ed.changes, Steps: ed.steps}
	if !mig.Changed() {
		return mig, before, nil
	}
	// The tree prints its own way (one space before a comment, say);
	// lines the migration did not touch are taken from the file as
	// written, so that its diff shows only what changed. Either text must
	// read as the model the original meant.
	rewritten := file.String()
	var failure error
	for _, out := range [][]byte{keepLayout(text, printed, rewritten), []byte(rewritten)} {
		if !bytes.HasSuffix(out, []byte("\n")) {
			out = append(out, '\n')
		}
		if crlf {
			out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))
		}
		after, err := reg.load(name, out)
		switch {
		case err != nil:
			failure = fmt.Errorf("model: %s: the rewritten file does not load, so nothing was rewritten (a fault in rcmguard's migration; please report it): %w", name, err)
		case !sameModel(before, after):
			failure = fmt.Errorf("model: %s: the rewritten file reads differently from the original, so nothing was rewritten (a fault in rcmguard's migration; please report it)", name)
		default:
			failure, mig.Data = nil, out
		}
		if failure == nil {
			break
		}
	}
	if failure != nil {
		return nil, nil, failure
	}
	slices.SortStableFunc(mig.Changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return mig, before, nil
}

// sameModel compares two models' content, not where it was read from.
func sameModel(a, b *Model) bool {
	x, y := *a, *b
	x.path, x.positions, y.path, y.positions = "", nil, "", nil
	x.read, y.read = a.read, a.read
	return reflect.DeepEqual(x, y)
}

// keepLayout merges a rewritten file into the original line by line:
// where the printed original and the printed rewrite have the same line,
// the original's own line is kept, with its own spacing; the rest
// comes from the rewrite. Migrations touch a few lines, so a greedy walk
// that looks a little ahead for the next common line finds them. When the
// printer did not keep the original's lines one for one, the rewrite is
// returned as printed.
func keepLayout(orig []byte, printedOrig, printedNew string) []byte {
	lines := bytes.SplitAfter(orig, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	po := strings.Split(strings.TrimSuffix(printedOrig, "\n"), "\n")
	pn := strings.Split(strings.TrimSuffix(printedNew, "\n"), "\n")
	if len(lines) != len(po) {
		return []byte(printedNew)
	}
	const window = 200
	find := func(list []string, from int, want string) int {
		for k := from; k < len(list) && k < from+window; k++ {
			if list[k] == want {
				return k
			}
		}
		return -1
	}
	var out bytes.Buffer
	i, j := 0, 0
	for j < len(pn) {
		if i < len(po) && po[i] == pn[j] {
			out.Write(lines[i])
			if !bytes.HasSuffix(lines[i], []byte("\n")) {
				out.WriteByte('\n')
			}
			i, j = i+1, j+1
			continue
		}
		ins, del := -1, -1
		if i < len(po) {
			ins = find(pn, j+1, po[i])
			del = find(po, i+1, pn[j])
		}
		switch {
		case ins >= 0 && (del < 0 || ins-j <= del-i):
			for ; j < ins; j++ {
				out.WriteString(pn[j] + "\n")
			}
		case del >= 0:
			i = del
		default:
			out.WriteString(pn[j] + "\n")
			i, j = i+1, j+1
		}
	}
	return out.Bytes()
}
