"""E-mail addresses checked by a maintained parser, never by “contains an @”.

`email_problem` uses email-validator (RFC 5322/6531 syntax, internationalised
domains) without DNS lookups: no request waits on the network, and an address
on a domain without MX records is still accepted (the mail log shows what
bounced). CR, LF and every other control character are refused, so an
address can never add a header; a `/` or `\\` is refused too, so an address
can never become part of a file path. Headers built from other text go
through `header_problem`.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254
_PATH_CHARACTERS = re.compile(r"[/\\]")
_LINE_BREAKS = re.compile(r"[\r\n\x00-\x1f\x7f\u2028\u2029\x85]")


def email_problem(address: str) -> str | None:
    """Why `address` is not a usable e-mail address (a sentence), or None."""
    if not address or len(address) > MAX_LENGTH:
        return f"Enter an e-mail address of at most {MAX_LENGTH} characters."
    if _LINE_BREAKS.search(address) or _PATH_CHARACTERS.search(address):
        return "An e-mail address cannot hold line breaks, control characters, / or \\."
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return f"Enter a valid e-mail address such as name@example.org ({exc})"
    return None


def header_problem(text: str) -> str | None:
    """Why `text` cannot be a mail header (subject, name), or None: no line breaks."""
    if _LINE_BREAKS.search(text):
        return "A mail header cannot hold a line break or a control character."
    return None
