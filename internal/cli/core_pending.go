package cli

func runAssess(e *env, args []string) int   { return exitInvalid }
func runValidate(e *env, args []string) int { return exitInvalid }
func runInit(e *env, args []string) int     { return exitInvalid }
func runCatalog(e *env, args []string) int  { return exitInvalid }
func runRules(e *env, args []string) int    { return exitInvalid }
