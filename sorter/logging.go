package sorter

import "log/slog"

// setLogger fills Config.Logger: slog.Default() unless given, with
// role=sorter and the member's name; records about a partition add table
// and partition. Ingest logs through it unless given its own.
func (c *Config) setLogger() {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Logger = c.Logger.With("role", "sorter", "member", c.Member)
	if c.Ingest.Logger == nil {
		c.Ingest.Logger = c.Logger
	}
}
