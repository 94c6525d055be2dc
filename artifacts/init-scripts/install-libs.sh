#!/bin/bash
# Cluster-scoped init script: installs the Python libraries the ML cluster's notebooks import.
# Runs on every node as root before Spark starts; a non-zero exit fails the cluster start.
set -euo pipefail

PIP=/databricks/python/bin/pip

"$PIP" install --quiet --disable-pip-version-check \
  "great-expectations==0.18.19" \
  "lightgbm==4.5.0"

echo "bricklane: install-libs.sh finished on $(hostname)"
