package postgres

// SetInitialLoadMin lowers the batch size ImportAuto needs for the
// initial-load path, for tests; the returned func restores it.
func SetInitialLoadMin(n int) func() {
	was := initialLoadMin
	initialLoadMin = n
	return func() { initialLoadMin = was }
}
