package model

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
)

// MaxFileSize bounds a model file. The billing-company example is about
// 30 KB and the same company 50 times over about 1.3 MB, where MaxNodes binds
// first; the lexer costs some 35 bytes of memory a byte of input, so a
// larger file could only be prose that costs more than the limits allow.
const MaxFileSize = 4 << 20

// LoadFile reads and validates a model file.
func LoadFile(path string) (*Model, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return Load(path, data)
}

// readFile reads a model file, at most one byte past MaxFileSize, which
// Load then refuses with a position-less error.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("model: read %s: %w", path, err)
	}
	return data, nil
}

// Load parses and validates a model. A model of an older version is read
// through the migrations to the current one, as it meant when written;
// one of a newer version is refused. The returned error is an ErrorList
// when the file was readable YAML with problems in it, or when it exceeds
// the limits of limits.go (then it also matches ErrTooLarge); it is ErrBusy
// when too many models were being read at once.
func Load(name string, data []byte) (*Model, error) {
	return builtin.load(name, data)
}

func (reg registry) load(name string, data []byte) (*Model, error) {
	if len(data) > MaxFileSize {
		return nil, ErrorList{limitError(name, Pos{}, "file is larger than the %d MiB limit for a model", MaxFileSize>>20)}
	}
	if err := checkText(data); err != nil {
		return nil, ErrorList{{File: name, Pos: err.pos, Msg: err.msg}}
	}
	// These checks read the bytes without allocating, so they run before a
	// slot is taken; everything below is what the slots bound. A real
	// model's bound is 1.02 to 1.3 times its tokens, so twice the limit
	// refuses none, and lexing at most that many costs about 90 MiB.
	if tokenBound(data) > 2*MaxNodes {
		return nil, ErrorList{tooManyNodes(name)}
	}
	release, err := acquireParse()
	if err != nil {
		return nil, fmt.Errorf("model: read %s: %w", name, err)
	}
	defer release()
	toks := lexer.Tokenize(string(data))
	if e := checkTokens(name, toks); e != nil {
		return nil, ErrorList{*e}
	}
	file, err := parser.Parse(toks, 0)
	if err != nil {
		return nil, ErrorList{syntaxError(name, err)}
	}
	var body ast.Node
	for _, doc := range file.Docs {
		if doc.Body == nil {
			continue
		}
		if body != nil {
			return nil, ErrorList{{File: name, Pos: nodePos(doc.Body), Msg: "a model file holds one YAML document; found a second one"}}
		}
		body = doc.Body
	}
	if body == nil {
		return nil, ErrorList{{File: name, Msg: fmt.Sprintf("file is empty; a model starts with `version: %d`", CurrentVersion)}}
	}
	from, pair, verr := reg.fileVersion(name, body)
	if verr != nil {
		return nil, ErrorList{*verr}
	}
	if err := reg.upgrade(body, from, pair, &editor{}); err != nil {
		return nil, ErrorList{{File: name, Msg: err.Error()}}
	}
	m := &Model{path: name}
	d := &decoder{file: name, anchors: map[string]ast.Node{}, positions: map[string]Pos{}}
	d.decode(body, reflectValue(m), "")
	m.positions = d.positions
	m.Version = reg.current
	m.read.version, m.read.stated = from, pair != nil
	if len(d.errs) > 0 {
		return nil, d.errs.sorted()
	}
	if errs := m.validate(); len(errs) > 0 {
		return nil, errs.sorted()
	}
	return m, nil
}

type textError struct {
	pos Pos
	msg string
}

// checkText rejects binary input early with a message a person understands,
// instead of a YAML syntax error about an unprintable character.
func checkText(data []byte) *textError {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return &textError{pos: posOf(data, i), msg: "file is binary (contains NUL bytes), not a YAML model"}
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		return &textError{pos: posOf(data, i), msg: "file is not UTF-8 text"}
	}
	return nil
}

func posOf(data []byte, off int) Pos {
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return Pos{Line: line, Col: col}
}

func syntaxError(name string, err error) Error {
	e := Error{File: name, Msg: "YAML syntax error: " + err.Error()}
	var se yamlError
	if errors.As(err, &se) {
		e.Msg = "YAML syntax error: " + se.GetMessage()
		if tk := se.GetToken(); tk != nil && tk.Position != nil {
			e.Pos = Pos{Line: tk.Position.Line, Col: tk.Position.Column}
		}
	}
	return e
}
