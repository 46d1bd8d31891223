package ovsdb

import "fmt"

// Error names as RFC 7047 and ovsdb-server spell them in the "error" member
// of a failed operation's result.
const (
	ErrReferentialIntegrity = "referential integrity violation"
	ErrConstraintViolation  = "constraint violation"
	ErrResourcesExhausted   = "resources exhausted"
	ErrIO                   = "I/O error"
	ErrDuplicateUUIDName    = "duplicate uuid-name"
	ErrDomain               = "domain error"
	ErrRange                = "range error"
	ErrTimedOut             = "timed out"
	ErrNotSupported         = "not supported"
	ErrAborted              = "aborted"
	ErrNotOwner             = "not owner"
	ErrSyntax               = "syntax error"
	ErrUnknownColumn        = "unknown column"
	ErrUnknownTable         = "unknown table"
	ErrUnknownDatabase      = "unknown database"
	ErrNotAllowed           = "not allowed"
)

// Error is an OVSDB error: a name from RFC 7047 and a human-readable detail.
// Transactions return it; the server sends it as {"error":..., "details":...}.
type Error struct {
	Name    string
	Details string
	// Syntax is the offending JSON text, when the error is about the input.
	Syntax string
}

func (e *Error) Error() string {
	if e.Details == "" {
		return e.Name
	}
	return e.Name + ": " + e.Details
}

// JSON returns the error as the object ovsdb-server puts in a result array.
func (e *Error) JSON() map[string]any {
	m := map[string]any{"error": e.Name}
	if e.Details != "" {
		m["details"] = e.Details
	}
	if e.Syntax != "" {
		m["syntax"] = e.Syntax
	}
	return m
}

func newError(name, format string, args ...any) *Error {
	return &Error{Name: name, Details: fmt.Sprintf(format, args...)}
}

func syntaxError(syntax any, format string, args ...any) *Error {
	return &Error{Name: ErrSyntax, Details: fmt.Sprintf(format, args...), Syntax: jsonText(syntax)}
}
