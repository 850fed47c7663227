package postgres

import "sync"

// kept holds values read at one version of the data they were read from
// (data_versions: migrations 00091 and 00092), by key. A value put at
// another version drops all the others, and so does going over the limit;
// a value got at another version is not there.
type kept[V, K comparable, T any] struct {
	mu      sync.Mutex
	version V
	values  map[K]T
}

func (c *kept[V, K, T]) get(version V, key K) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.values[key]
	return v, ok && c.version == version
}

func (c *kept[V, K, T]) put(version V, key K, value T, limit int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if version != c.version || c.values == nil || len(c.values) >= limit {
		c.version, c.values = version, map[K]T{}
	}
	c.values[key] = value
}
