"""The experts of a study, their personal links, CSV import and where each stands."""

__all__ = ["experts", "importer", "invitations", "status"]
