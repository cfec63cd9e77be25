"""Batch runs: one materials folder per client under a root, checked in parallel.

* ``clients``  - which folders are clients, their values and specs (client.yaml, registry)
* ``union``    - one spec from several (a client holding several licences)
* ``leakage``  - another client's company name or credit code inside a client's files
* ``task``     - the picklable per-client task every executor runs
* ``rollup``   - one row per client; ``--since`` comparison with an earlier report
* ``output``   - spilling results to disk and writing the reports
* ``progress`` - the live bar / log lines
"""
