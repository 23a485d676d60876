package model

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/goccy/go-yaml/token"
)

// A model is often uploaded by someone outside the operator's control, and
// the YAML library's parser is not linear in everything it is given: it keeps
// the full path of every node (keys included) as its own string, so nesting
// and long keys cost memory quadratically; it copies the rest of a block
// mapping at each key and the rest of the file at each document marker; and
// aliases let a few bytes stand for millions of values. The limits below bound what one load may cost so
// that the largest model they accept reads in well under a second and
// 256 MiB (see docs/performance.md); every limit is checked before the parser
// runs, except alias expansion, which the decoder counts as it goes.
const (
	// MaxDepth bounds nesting, block and flow style together. A real model
	// nests about six deep (systems → a system → endpoints → an endpoint).
	MaxDepth = 64
	// MaxNodes bounds the YAML tokens of a model (keys, values, dashes,
	// brackets, comments) and also the values decoded from it, aliases
	// expanded. The billing-company example has about 5,500; the same
	// company 50 times over (2,000 client practices, 750 systems), as the
	// web editor writes it, about 185,000.
	MaxNodes = 200_000
	// maxKeys bounds the keys of one mapping. The parser copies the rest of
	// a block mapping at each key, quadratic in its keys; the model's
	// largest mapping, a system, has 25 keys.
	maxKeys = 256
	// maxKeyLen bounds a mapping key. The model's longest key has 22
	// characters; a longer key is only ever a mistake or an attack, and the
	// parser copies each key into the path of everything beneath it.
	maxKeyLen = 128
	// maxPathBytes bounds the sum, over all tokens, of the length of the path
	// the parser builds for them: what deep nesting under long keys costs.
	// A real model averages about 40 bytes a token.
	maxPathBytes = 48 << 20
)

// ErrTooLarge is matched (errors.Is) by a load error that refused a model for
// its size (bytes, nodes, path bytes or alias expansion) rather than for its
// content or shape; a server answers it with 413 instead of 422.
var ErrTooLarge = errors.New("model: too large to read")

// ErrBusy is returned when every parse slot stayed taken for busyWait; a
// server answers it with 503 and Retry-After.
var ErrBusy = errors.New("model: too many models are being read at once; try again in a few seconds")

// parseSlots bounds concurrent loads: each may hold up to the cost above, so
// a handful of parallel uploads cannot add up to more memory than a server
// has. One slot per CPU keeps every core busy without queueing in memory.
var parseSlots = make(chan struct{}, max(1, runtime.NumCPU()))

// busyWait is how long a load waits for a slot before giving up; a variable
// so that tests can shorten it.
var busyWait = 5 * time.Second

// acquireParse takes a parse slot, waiting up to busyWait.
func acquireParse() (release func(), err error) {
	release = func() { <-parseSlots }
	select {
	case parseSlots <- struct{}{}:
		return release, nil
	default:
	}
	t := time.NewTimer(busyWait)
	defer t.Stop()
	select {
	case parseSlots <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, ErrBusy
	}
}

// limitError is an Error that ErrTooLarge matches.
func limitError(name string, pos Pos, format string, args ...any) Error {
	return Error{File: name, Pos: pos, Msg: fmt.Sprintf(format, args...), tooLarge: true}
}

func tooManyNodes(name string) Error {
	return limitError(name, Pos{}, "model is too large: it has more than %d YAML nodes (keys, values and punctuation)", MaxNodes)
}

// tokenBound is a cheap upper bound on the number of tokens the YAML lexer
// makes of data, so that Load can refuse an oversized file before the lexer
// spends memory on its tokens. Every indicator may be a token, and so may
// the text after one or at the start of a line; words of plain text are one token,
// except on a directive line and after an anchor, alias or tag name, where
// the lexer splits at blanks; a dash inside a word (2026-01-05, c-01) is
// text. FuzzTokenBound checks that it is a bound.
func tokenBound(data []byte) int {
	n := 0
	boundary := true                // the next text starts a token
	split := false                  // a blank ends a token on this line ('%' seen)
	property, named := false, false // in an anchor, alias or tag; its name begun
	for i, c := range data {
		if i == 0 || data[i-1] == '\n' || data[i-1] == '\r' {
			// A document marker, "---" or "...", is a token of its own.
			if m := data[i:min(i+3, len(data))]; string(m) == "---" || string(m) == "..." {
				n++
			}
		}
		if c == '-' && !boundary {
			continue
		}
		switch c {
		case '\n', '\r':
			boundary, split, property, named = true, false, false, false
		case '[', ']', '{', '}', ',', ':', '-', '?', '&', '*', '!', '|', '>', '\'', '"', '#', '%', '@', '`':
			n++
			if c == '|' || c == '>' {
				n++ // a block scalar's text, even when empty
			}
			boundary = true
			split = split || c == '%'
			property = property || c == '&' || c == '*' || c == '!'
		case ' ', '\t':
			if split || named {
				boundary = true
			}
			if named {
				property, named = false, false
			}
		default:
			if boundary {
				n++
			}
			boundary = false
			named = property
		}
	}
	return n
}

// level is one open collection while checkTokens walks the tokens.
type level struct {
	col    int  // column of a block collection's dashes or keys
	seq    bool // a sequence (else a mapping)
	flow   bool // flow style, [ ] or { }
	weight int  // what the level adds to the path of each node under it
	keys   int  // keys seen in a mapping
}

// seqWeight is what a sequence level adds to a path: "[12345]".
const seqWeight = 8

// pathWeight is what a mapping level adds to a path under the key k: ".k"
// and the quotes the parser may add.
func pathWeight(k int) int { return k + 3 }

// checkTokens applies the node, depth, key and path limits to the lexer's
// tokens, the same ones the parser then reads, so quoting, comments and
// block scalars are seen exactly as the parser sees them. Block nesting is
// followed by the columns of dashes and keys, as the parser does.
func checkTokens(name string, toks token.Tokens) *Error {
	if len(toks) > MaxNodes {
		e := tooManyNodes(name)
		return &e
	}
	var stack []level
	flows, path, total := 0, 0, 0
	push := func(l level) {
		stack = append(stack, l)
		path += l.weight
		if l.flow {
			flows++
		}
	}
	pop := func() {
		l := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		path -= l.weight
		if l.flow {
			flows--
		}
	}
	// block opens or continues a block collection at col; it returns the
	// level.
	block := func(col int, seq bool, weight int) *level {
		for len(stack) > 0 {
			top := stack[len(stack)-1]
			// A sequence may sit at its parent key's column; a key at that
			// column ends the sequence.
			if top.col > col || (top.col == col && top.seq && !seq) {
				pop()
				continue
			}
			break
		}
		if n := len(stack); n > 0 && stack[n-1].col == col && stack[n-1].seq == seq {
			path += weight - stack[n-1].weight
			stack[n-1].weight = weight
			return &stack[n-1]
		}
		push(level{col: col, seq: seq, weight: weight})
		return &stack[len(stack)-1]
	}
	markers := 0 // "---" and "..."
	for i, tk := range toks {
		pos := Pos{}
		if tk.Position != nil {
			pos = Pos{Line: tk.Position.Line, Col: tk.Position.Column}
		}
		switch tk.Type {
		case token.DocumentHeaderType, token.DocumentEndType:
			// The parser splits documents recursively, copying the rest of
			// the file each time; a model is one document anyway.
			if markers++; markers > 2 {
				return &Error{File: name, Pos: pos, Msg: "a model file holds one YAML document; found a second one"}
			}
		case token.SequenceStartType:
			push(level{seq: true, flow: true, weight: seqWeight})
		case token.MappingStartType:
			push(level{flow: true, weight: pathWeight(0)})
		case token.SequenceEndType, token.MappingEndType:
			// Unbalanced brackets are the parser's to report.
			if flows > 0 {
				for !stack[len(stack)-1].flow {
					pop()
				}
				pop()
			}
		case token.SequenceEntryType:
			if flows == 0 {
				block(pos.Col, true, seqWeight)
			}
		case token.MappingKeyType:
			if flows == 0 {
				block(pos.Col, false, pathWeight(0))
			}
		case token.MappingValueType:
			key := prevToken(toks, i)
			if key == nil || key.Position == nil || key.Position.Line != pos.Line {
				key = nil // an explicit "? key" on an earlier line
			}
			keyLen, col := 0, pos.Col
			if key != nil {
				keyLen, col = len(key.Value), key.Position.Column
			}
			if keyLen > maxKeyLen {
				kp := Pos{Line: key.Position.Line, Col: key.Position.Column}
				return &Error{File: name, Pos: kp, Msg: fmt.Sprintf("key is longer than %d characters", maxKeyLen)}
			}
			var m *level
			if flows > 0 {
				if top := &stack[len(stack)-1]; !top.seq {
					path += pathWeight(keyLen) - top.weight
					top.weight = pathWeight(keyLen)
					m = top
				}
			} else {
				m = block(col, false, pathWeight(keyLen))
			}
			if m != nil {
				if m.keys++; m.keys > maxKeys {
					return &Error{File: name, Pos: pos, Msg: fmt.Sprintf("mapping has more than %d keys", maxKeys)}
				}
			}
		}
		if len(stack) > MaxDepth {
			return &Error{File: name, Pos: pos, Msg: fmt.Sprintf("model nests deeper than %d levels", MaxDepth)}
		}
		total += path
		if total > maxPathBytes {
			e := limitError(name, pos, "model is too large: its keys, nested this deep, add up to more than %d MiB of paths", maxPathBytes>>20)
			return &e
		}
	}
	return nil
}

// prevToken is the token before toks[i], comments skipped.
func prevToken(toks token.Tokens, i int) *token.Token {
	for j := i - 1; j >= 0; j-- {
		if toks[j].Type != token.CommentType {
			return toks[j]
		}
	}
	return nil
}
