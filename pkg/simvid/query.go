package simvid

import "time"

// The query types below select and count what the metadata database holds. They live with
// the domain types, as plain values, so that the service can offer them to the admin and the
// API without either importing the store.

// AuditEvent is one admin action: who did what to which target, when, from where.
type AuditEvent struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`  // "admin" or a session label
	Action string    `json:"action"` // login, logout, render.retry, project.delete...
	Target string    `json:"target"` // an id, or ""
	Detail string    `json:"detail"` // free text for people
	IP     string    `json:"ip"`
}

// AuditFilter selects audit events, newest first; zero fields select everything.
type AuditFilter struct {
	Action string
	Before int64 // only events with a smaller ID (paging)
	Limit  int
}

// RenderQuery selects renders for the admin: RenderFilter's fields plus a creation window.
type RenderQuery struct {
	RenderFilter
	Since time.Time // CreatedAt >= Since
	Until time.Time // CreatedAt < Until
}

// KindUsage is how many files of one kind the database knows and their bytes.
type KindUsage struct {
	Count int64 `json:"count"`
	Bytes int64 `json:"bytes"`
}

// KeyUsage is what an API key's projects hold and how many renders it started since a time.
type KeyUsage struct {
	Bytes   int64 `json:"bytes"`
	Renders int   `json:"renders"`
}

// ProjectFilter selects projects; zero fields select everything.
type ProjectFilter struct {
	UpdatedBefore time.Time // only projects whose UpdatedAt is strictly before this
	OwnerKey      string    // only projects of this API key
	Limit         int       // at most this many; 0 = no limit
}

// RenderFilter selects renders; zero fields select everything.
type RenderFilter struct {
	ProjectID string
	States    []RenderState // any of these states
	Client    string
	Limit     int // ListRenders only; 0 = no limit
}
