"""Background work: schema-carrying dispatch, tenant-only tasks and the module-aware beat scheduler."""
