"""Sub-commands kept in their own modules (batch, hook, report…); cli.py registers them.

Each module defines a click command named `command` and imports only click and the
standard library at module level, so `validator --help` stays fast.
"""
