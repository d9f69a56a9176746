"""The tenant-schema kernel every feature module stands on."""
