"""Signing in and out, one's own password and language; who a request's session or remember cookie signs in."""
