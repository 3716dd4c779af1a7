"""Small helpers shared by the organizer views (refusals and owned objects: `elicit.web`)."""

from __future__ import annotations


def upload_bytes(form_field) -> bytes:
    """The bytes of an uploaded file (size bounded by MAX_CONTENT_LENGTH)."""
    return form_field.data.read()
