// Package examples embeds the example models, which double as the starter
// templates that `rcmguard init` writes.
package examples

import "embed"

// FS holds practice.yaml and billing-company.yaml.
//
//go:embed *.yaml
var FS embed.FS

// Templates maps template names to example files.
var Templates = map[string]string{
	"practice":        "practice.yaml",
	"billing-company": "billing-company.yaml",
}
