"""Grassroots services: assessment, projections and the gateway, and the tools that run them."""

import warnings

# eventlet announces its own deprecation on import; nameko 2.14 needs it all the same.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
