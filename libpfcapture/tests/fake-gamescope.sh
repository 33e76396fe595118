#!/bin/sh
# Stands in for gamescope in tests: takes its command line and publishes a PipeWire video
# node named "gamescope" (the test pattern) at the requested mode.
exec "${PF_TESTPATTERN:?}" -n gamescope "$@"
