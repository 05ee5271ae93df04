"""crashlab: a Kubernetes CrashLoopBackOff troubleshooting lab."""

__version__ = "0.1.0"
