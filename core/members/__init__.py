"""Members (adhérents): companies identified by SIRET or by the organisation's member number."""
