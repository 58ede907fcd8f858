"""Home Assistant-level tests of CALLR entries, against the CALLR simulator on loopback."""
