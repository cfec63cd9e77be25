"""`validator serve`: the local web page (server, jobs, worker, page, safe unzip)."""
