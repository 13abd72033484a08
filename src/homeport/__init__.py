"""homeport: a self-hosted i'mport (PortOne v1) compatible payment gateway for NHN KCP."""

__version__ = "0.1.0"
