"""Services: the only bridge between the database and the pure core.

Views, the CLI and (later) the API call these functions; each write happens in one transaction.
"""
