package rules

import (
	"fmt"
	"slices"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"

	"rcmguard/internal/evidence"
	"rcmguard/internal/model"
)

// A condition such as `system.kind == "faxx"` compiles and runs, and is
// simply never true: the rule it guards goes quiet without a word. So the
// string attributes with a closed vocabulary list it here, from the
// model's own enums, and a literal compared with one of them must be a
// word of that vocabulary. A test builds the examples' views and checks
// that every value they hold is listed, so the lists cannot fall behind
// the views.

var triState = []string{"yes", "no", "unknown"}

// withNone adds the empty value of an attribute that may be unset (no
// vendor, no API); withUnk adds the "unknown" of one the model left out.
func withNone(vals []string) []string { return append(slices.Clone(vals), "") }
func withUnk(vals []string) []string  { return append(slices.Clone(vals), "unknown") }

// commonValues are the vocabularies of attributes every view carries.
var commonValues = map[string][]string{
	"max_sensitivity": model.Sensitivity("").Enum(),
}

// kindValues are the vocabularies of each kind's own attributes. Workflow
// stages are absent: a model may add stages of its own.
var kindValues = map[Kind]map[string][]string{
	KindOrg: {
		"kind":                 model.OrgKind("").Enum(),
		"stages_without_steps": model.StandardStages, "scope": model.ScopeKind("").Enum(),
	},
	KindSystem: {
		"kind": model.SystemKind("").Enum(), "hosting": model.Hosting("").Enum(),
		"vendor_baa": withNone(model.BAAStatus("").Enum()), "mfa": model.Coverage("").Enum(),
		"data_kinds": model.DataKind("").Enum(), "api_auth": withNone(model.AuthMethod("").Enum()),
		"sso": triState, "role_based_access": triState, "unique_logins": triState, "encryption_at_rest": triState,
		"audit_logging": triState, "failed_login_alerts": triState, "backup": triState, "backup_offsite": triState,
		"backup_encrypted": triState, "antimalware": triState, "api_tls": triState, "api_scoped": triState,
		"api_logged": triState, "critical": triState, "edi_approved": triState,
		"patch_cadence": model.Cadence("").Enum(), "log_review": model.Cadence("").Enum(),
		"backup_frequency": model.Cadence("").Enum(), "api_key_rotation": model.Cadence("").Enum(),
		"default_credentials": triState, "client_separation": triState, "remote_methods": model.RemoteMethod("").Enum(),
		"end_of_support_passed": triState, "remote_listed": {"yes", "unknown"},
	},
	KindFlow: {
		"from_kind": model.SystemKind("").Enum(), "to_kind": model.SystemKind("").Enum(),
		"channel": model.Channel("").Enum(), "data_kinds": model.DataKind("").Enum(),
		"min_tls": withNone(model.TLSVersions), "auth": model.AuthMethod("").Enum(),
		"to_vendor_baa": withNone(model.BAAStatus("").Enum()), "encryption_declared": triState,
		"test_separated": triState, "isa_credentials": triState, "integrity_check": triState,
	},
	KindVendor: {
		"baa_status": model.BAAStatus("").Enum(), "baa_flowdown": triState,
	},
	KindClient: {
		"baa_status": model.BAAStatus("").Enum(),
	},
	KindRole: {
		"kind": model.RoleKind("").Enum(), "location": model.WorkLocation("").Enum(),
		"vendor_baa": withNone(model.BAAStatus("").Enum()), "managed_devices": triState,
		"training_kind": withUnk(model.TrainingKind("").Enum()), "phishing_training": triState,
		"termination_process": withUnk(model.Process("").Enum()), "access_review": model.Cadence("").Enum(),
	},
	KindAccess: {
		"system_kind": model.SystemKind("").Enum(), "level": model.AccessLevel("").Enum(),
		"location": withNone(model.WorkLocation("").Enum()),
	},
	KindData: {
		"kind": model.DataKind("").Enum(), "sensitivity": model.Sensitivity("").Enum(),
	},
	KindPolicy: {
		"kind": model.PolicyKind("").Enum(), "covers_listed": {"yes", "unknown"},
	},
	KindAccount: {
		"system_kind": model.SystemKind("").Enum(), "kind": withUnk(model.AccountKind("").Enum()),
		"status": model.AccountStatus("").Enum(), "level": withNone(model.AccessLevel("").Enum()),
	},
}

// checkValue reports whether v may be a value of attribute attr of kind
// (of one element of it, for a list attribute), and if not, why.
func checkValue(kind Kind, attr, v string) error {
	if attr == "observed" {
		if evidence.OwnNamespace(v) && !evidence.KnownCheck(v) {
			ns, _, _ := strings.Cut(v, ".")
			var same []string
			for _, c := range evidence.Checks() {
				if strings.HasPrefix(c, ns+".") {
					same = append(same, c)
				}
			}
			return fmt.Errorf("%s.observed never holds %q: no rcmguard engine writes that check (its %s checks are %s)",
				kind, v, ns, strings.Join(same, ", "))
		}
		return nil
	}
	vals, ok := kindValues[kind][attr]
	if !ok {
		vals, ok = commonValues[attr]
	}
	if !ok || slices.Contains(vals, v) {
		return nil
	}
	shown := make([]string, len(vals))
	for i, s := range vals {
		shown[i] = fmt.Sprintf("%q", s)
	}
	return fmt.Errorf("%s.%s is never %q; its values are %s", kind, attr, v, strings.Join(shown, ", "))
}

// checkLiterals finds the string literals a condition compares with an
// attribute — `x.attr == "v"`, `x.attr != "v"`, `x.attr in ["v", …]`,
// `"v" in x.list`, and `x.list.exists(k, k == "v")` with the other list
// macros — and checks each against the attribute's vocabulary.
func checkLiterals(a *cel.Ast, kind Kind) error {
	root := a.NativeRep().Expr()
	// A macro's variable stands for the elements of the list it ranges
	// over; a variable name bound over two different lists is left
	// unchecked rather than guessed.
	loopVars := map[string]string{}
	ambiguous := map[string]bool{}
	celast.PreOrderVisit(root, celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() != celast.ComprehensionKind {
			return
		}
		c := e.AsComprehension()
		attr, ok := attrOf(c.IterRange(), kind)
		if !ok {
			ambiguous[c.IterVar()] = true
			return
		}
		if prev, seen := loopVars[c.IterVar()]; seen && prev != attr {
			ambiguous[c.IterVar()] = true
		}
		loopVars[c.IterVar()] = attr
	}))
	resolve := func(e celast.Expr) (string, bool) {
		if e.Kind() == celast.IdentKind {
			name := e.AsIdent()
			attr, ok := loopVars[name]
			return attr, ok && !ambiguous[name]
		}
		return attrOf(e, kind)
	}
	var problems []string
	check := func(attr string, lit celast.Expr) {
		s, ok := stringLiteral(lit)
		if !ok {
			return
		}
		k, name, _ := strings.Cut(attr, ".")
		if err := checkValue(Kind(k), name, s); err != nil {
			problems = append(problems, err.Error())
		}
	}
	celast.PreOrderVisit(root, celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() != celast.CallKind {
			return
		}
		call := e.AsCall()
		args := call.Args()
		if len(args) != 2 {
			return
		}
		switch call.FunctionName() {
		case "_==_", "_!=_":
			if attr, ok := resolve(args[0]); ok {
				check(attr, args[1])
			}
			if attr, ok := resolve(args[1]); ok {
				check(attr, args[0])
			}
		case "@in":
			if attr, ok := resolve(args[1]); ok {
				check(attr, args[0]) // "v" in x.list
			}
			if attr, ok := resolve(args[0]); ok && args[1].Kind() == celast.ListKind {
				for _, el := range args[1].AsList().Elements() {
					check(attr, el) // x.attr in ["v", …]
				}
			}
		}
	}))
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("%s", strings.Join(slices.Compact(problems), "; "))
	}
	return nil
}

// attrOf returns "kind.attr" when e reads an attribute of the rule's own
// kind or of org.
func attrOf(e celast.Expr, kind Kind) (string, bool) {
	if e.Kind() != celast.SelectKind {
		return "", false
	}
	sel := e.AsSelect()
	op := sel.Operand()
	if op.Kind() != celast.IdentKind {
		return "", false
	}
	k := Kind(op.AsIdent())
	if k != kind && k != KindOrg {
		return "", false
	}
	return string(k) + "." + sel.FieldName(), true
}

func stringLiteral(e celast.Expr) (string, bool) {
	if e.Kind() != celast.LiteralKind {
		return "", false
	}
	s, ok := e.AsLiteral().(types.String)
	return string(s), ok
}
