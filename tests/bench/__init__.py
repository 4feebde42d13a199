"""Benchmarks (`make bench`): relay, projection rebuild and HTTP command figures, each printed
next to a baseline measured in the same run. They report; they do not assert."""
