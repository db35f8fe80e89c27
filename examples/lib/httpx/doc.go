// Package httpx is the HTTP service wiring shared by the example services:
// listening and announcing the bound address, CPU profiling for the lifetime
// of the server, graceful shutdown, and the middleware and JSON helpers every
// handler uses.
package httpx
