"""Response-header policy: the one Content-Security-Policy, and HSTS in production.

`CONTENT_SECURITY_POLICY` is the default for every HTML response (`SafetyMiddleware` adds it to
any `text/html` answer that does not set its own). It allows no inline script and no inline
style. A page that needs one inline `<style>` block (the `/verify` page) says so explicitly with
`policy_with_style(css)`, which adds that block's hash and nothing else; nothing is loosened
silently. New pages (`/console`, `/docs`) should load their scripts and styles from files.
"""

from __future__ import annotations

import base64
import hashlib

DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(DIRECTIVES)


def policy_with_style(*inline_styles: str) -> str:
    """The default policy, plus the hashes of these exact inline `<style>` blocks."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'"
        for css in inline_styles
    )
    return "; ".join(
        f"style-src 'self' {hashes}" if d.startswith("style-src") else d for d in DIRECTIVES
    )


def hsts_value(max_age_s: int) -> str:
    return f"max-age={max_age_s}; includeSubDomains"
