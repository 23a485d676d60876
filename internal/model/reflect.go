package model

import (
	"reflect"

	"github.com/goccy/go-yaml/token"
)

// yamlError is the part of the YAML library's errors we use for positions.
type yamlError interface {
	error
	GetMessage() string
	GetToken() *token.Token
}

func reflectValue(m *Model) reflect.Value { return reflect.ValueOf(m).Elem() }
