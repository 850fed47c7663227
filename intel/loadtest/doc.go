// Package loadtest holds the national-scale load test (tests only): the
// built service, as a separate process, on a copy of the national
// synthetic data set (intel/synth: 100,000 young people, 2,000,000
// events), under a realistic mix of requests from 50 concurrent clients.
// `make bench` runs it; docs/BENCHMARKS.md has its figures.
package loadtest
