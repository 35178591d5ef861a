#!/bin/sh
# demo.sh JITK - the main job for a newcomer (written with the SCPL compiler).
echo "demo: not written yet" >&2
exit 1
