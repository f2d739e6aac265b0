"""Everything doorstep stores: tables and the rules that belong to their data.

Data functions take a session and never commit: the caller (a request, a job)
owns the transaction with ``with session_factory.begin() as session:``.
"""
