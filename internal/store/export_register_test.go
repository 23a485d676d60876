package store

// WorkspaceStatusesQuery is the workspaces list's query, for the test
// that reads its plan.
var WorkspaceStatusesQuery = workspaceStatusesQuery
