"""Safety tests: crash torture, fuzzed backups."""
