// Package intel holds contextmap's domain: the people, contexts (places, peer
// groups, online spaces), graded links and events of the intelligence graph,
// the roles that may see them, and the errors the service returns. It imports
// nothing of the outside world; intel/postgres stores it, intel/httpapi serves
// it, cmd/contextmap wires them.
package intel
