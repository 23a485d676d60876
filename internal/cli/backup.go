package cli

// runBackup is being built in its own change; until then the command says so.
func runBackup(e *env, args []string) int {
	e.errorf("backup", "this command is not available in this build yet")
	return exitInvalid
}
