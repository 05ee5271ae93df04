"""Test-only stand-ins for a cluster: an HTTP Kubernetes API emulator and a "kubelet".

Nothing here is imported by runner/. Tests get them through the fixtures in
tests/harness/fixtures.py.
"""
