// Command contextmap serves the contextual safeguarding map.
package main

func main() {}
