"""`validator fix`: rename files so the check's own name and extension defects go away.

* :mod:`validator.fixing.plan` turns a check's defects into a rename plan (nothing is touched);
* :mod:`validator.fixing.apply` performs a plan without ever overwriting, records an undo
  journal outside the folder, and undoes a journal when no file has changed since.

Only names change: a file's contents are never opened for writing.
"""
