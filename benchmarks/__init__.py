"""Performance measurements that are run by hand, not by the test suite (see README.md)."""
