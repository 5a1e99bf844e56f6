"""The process and the computer, no Qt and no crypto: data paths, portable isolation,
process hardening, bundled resources."""
