"""`validator serve`: the local web page (server, jobs, worker, page, a dropped zip of clients)."""
