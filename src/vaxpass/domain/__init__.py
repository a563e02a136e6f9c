"""The vaccination-record domain: pure Python, standard library only.

People and their identity documents, names, doses, vaccines, facilities, provinces, signing
authorities and policy, and the record state machine. Nothing here performs I/O or reads a clock.
"""
