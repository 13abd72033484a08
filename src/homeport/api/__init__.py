"""The i'mport (PortOne v1) REST surface, served at the root of the host.

i'mport field names live here (and in ``homeport.checkout``), nowhere else.
"""
