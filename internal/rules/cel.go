package rules

import (
	"fmt"
	"slices"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"

	"rcmguard/internal/model"
)

// costLimit bounds one evaluation. Views are flat maps with short lists, so
// real conditions cost tens of units; the limit only stops a pathological
// user rule (nested comprehensions over lists) from stalling an assessment.
const costLimit = 100_000

type program struct {
	src   string
	prg   cel.Program
	reads []string // attributes read, as "flow.auth" or "org.clearinghouses"
}

func newEnv() (*cel.Env, error) {
	opts := []cel.EnvOption{}
	for _, k := range Kinds {
		opts = append(opts, cel.Variable(string(k), cel.MapType(cel.StringType, cel.DynType)))
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, fmt.Errorf("rules: condition language: %w", err)
	}
	return env, nil
}

func (r *Rule) compile(env *cel.Env) error {
	var err error
	if r.when, err = compileExpr(env, r.When, r.AppliesTo); err != nil {
		return atField(fmt.Errorf("when: %w", err), "when")
	}
	for i, a := range r.Likelihood {
		p, err := compileExpr(env, a.When, r.AppliesTo)
		if err != nil {
			return atField(fmt.Errorf("likelihood[%d].when: %w", i, err), "likelihood", i, "when")
		}
		r.adjL = append(r.adjL, p)
	}
	for i, a := range r.Impact {
		p, err := compileExpr(env, a.When, r.AppliesTo)
		if err != nil {
			return atField(fmt.Errorf("impact[%d].when: %w", i, err), "impact", i, "when")
		}
		r.adjI = append(r.adjI, p)
	}
	return nil
}

func compileExpr(env *cel.Env, src string, kind Kind) (program, error) {
	ast, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		return program{}, fmt.Errorf("%s", strings.TrimSpace(iss.Err().Error()))
	}
	if !ast.OutputType().IsAssignableType(cel.BoolType) {
		return program{}, fmt.Errorf("%q must be true or false, not %s", src, ast.OutputType())
	}
	reads, err := checkFields(ast, kind)
	if err != nil {
		return program{}, err
	}
	if err := checkLiterals(ast, kind); err != nil {
		return program{}, err
	}
	prg, err := env.Program(ast, cel.CostLimit(costLimit), cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return program{}, err
	}
	p := program{src: src, prg: prg, reads: reads}
	// Every attribute is dynamically typed, so the checker cannot prove the
	// result is a boolean; a trial run on a well-controlled element does.
	if _, err := p.eval(map[string]any{string(kind): SafeView(kind), string(KindOrg): SafeView(KindOrg)}); err != nil {
		return program{}, err
	}
	return p, nil
}

// checkFields rejects conditions that read attributes the views do not have,
// or variables other than the rule's own kind and org: a misspelled
// attribute fails when the rule is loaded, not silently in a client's
// assessment.
func checkFields(a *cel.Ast, kind Kind) ([]string, error) {
	var problems, reads []string
	policyKinds := model.PolicyKind("").Enum()
	celast.PreOrderVisit(a.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		switch e.Kind() {
		case celast.IdentKind:
			name := e.AsIdent()
			if slices.Contains(Kinds, Kind(name)) && name != string(kind) && name != string(KindOrg) {
				problems = append(problems, fmt.Sprintf("a %s rule may read %s and org, not %s", kind, kind, name))
			}
		case celast.SelectKind:
			sel := e.AsSelect()
			op := sel.Operand()
			switch {
			case op.Kind() == celast.IdentKind && slices.Contains(Kinds, Kind(op.AsIdent())):
				k := Kind(op.AsIdent())
				if !hasAttr(k, sel.FieldName()) {
					problems = append(problems, fmt.Sprintf("%s has no attribute %q (see `rcmguard rules --attributes`)", k, sel.FieldName()))
				} else if !slices.Contains(reads, string(k)+"."+sel.FieldName()) {
					reads = append(reads, string(k)+"."+sel.FieldName())
				}
			case op.Kind() == celast.SelectKind && op.AsSelect().FieldName() == "policies":
				if !slices.Contains(policyKinds, sel.FieldName()) {
					problems = append(problems, fmt.Sprintf("unknown policy kind %q", sel.FieldName()))
				}
			case op.Kind() == celast.SelectKind && op.AsSelect().Operand().Kind() == celast.SelectKind &&
				op.AsSelect().Operand().AsSelect().FieldName() == "policies":
				if f := sel.FieldName(); f != "exists" && f != "days_since_review" {
					problems = append(problems, fmt.Sprintf("a policy has exists and days_since_review, not %q", f))
				} else if r := "org.policies." + op.AsSelect().FieldName() + "." + f; !slices.Contains(reads, r) {
					reads = append(reads, r)
				}
			}
		}
	}))
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, fmt.Errorf("%s", strings.Join(slices.Compact(problems), "; "))
	}
	return reads, nil
}

func hasAttr(k Kind, name string) bool {
	for _, a := range Attrs(k) {
		if a.Name == name {
			return true
		}
	}
	return false
}

func (p program) eval(vars map[string]any) (bool, error) {
	out, _, err := p.prg.Eval(vars)
	if err != nil {
		return false, fmt.Errorf("evaluating %q: %w", p.src, err)
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("%q must be true or false, not %v", p.src, out)
	}
	return bool(b), nil
}
