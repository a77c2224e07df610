#!/bin/sh
# The subjects of the commits since the tag $1.
git log --format='- %s' "$1..HEAD"
